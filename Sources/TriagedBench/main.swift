import AWSSigning
import Foundation

// triaged-bench sigv4 REQUESTS.json ITERATIONS [--cache-keys]
//
// Builds and signs each request of the file (the form scripts/bench/sigv4.py writes) ITERATIONS
// times and prints one JSON object: the Authorization headers (to prove the work equals
// botocore's) and the rate.
//
// Timed, per request, the same work botocore's AWSRequest + SigV4Auth.add_auth do: split the URL
// into host, path and query; build the header list (Host from the URL, then the request's own);
// take the body's bytes; build the signer for the request's service; hash the body; canonical
// request, string to sign; derive the signing key (four HMACs; unless --cache-keys, which botocore
// has no equivalent of); the signature and the Authorization header. Not timed: reading the file,
// process start-up, the first (verification) pass.

struct Input: Decodable {
    struct Request: Decodable {
        let method: String
        let url: String
        let headers: [[String]]
        let body: String
        let service: String
    }
    let region: String
    let accessKeyId: String
    let secretAccessKey: String
    let sessionToken: String?
    let epoch: Double
    let requests: [Request]
}

/// `https://host[:port]/path?query` into its host, path and query (what urlsplit gives botocore),
/// scanning the UTF-8 bytes once; each part becomes a String of its own.
func split(_ url: String) -> (host: String, path: String, query: String) {
    var url = url
    return url.withUTF8 { bytes in
        func part(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        let slash = UInt8(ascii: "/")
        var start = 0
        var index = bytes.firstIndex(of: slash) ?? bytes.count
        // Past "scheme://".
        if index > 0, index < bytes.count, bytes[index - 1] == UInt8(ascii: ":") {
            start = index + 2
            index = bytes[start...].firstIndex(of: slash) ?? bytes.count
        } else {
            index = start
        }
        let host = part(start..<index)
        let queryMark = bytes[index...].firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
        let path = queryMark == index ? "/" : part(index..<queryMark)
        let query = queryMark < bytes.count ? part(queryMark + 1..<bytes.count) : ""
        return (host, path, query)
    }
}

func sign(_ request: Input.Request, _ input: Input, _ credentials: AWSCredentials, _ date: Date, cache: Bool) throws
    -> String
{
    let (host, path, query) = split(request.url)
    var fields: [HTTPHeaders.Field] = []
    fields.reserveCapacity(request.headers.count + 1)
    fields.append(HTTPHeaders.Field(name: "Host", value: host))
    for header in request.headers { fields.append(HTTPHeaders.Field(name: header[0], value: header[1])) }
    var signer = SigV4Signer(credentials: credentials, region: input.region, signingName: request.service)
    signer.cachesSigningKey = cache
    let signed = try signer.sign(
        SigV4Request(
            method: request.method, path: path, query: query, headers: HTTPHeaders(fields),
            payload: .bytes(Array(request.body.utf8))),
        at: date)
    return signed.headers["Authorization"] ?? ""
}

let arguments = CommandLine.arguments
guard arguments.count == 4 || (arguments.count == 5 && arguments[4] == "--cache-keys"), arguments[1] == "sigv4",
    let iterations = Int(arguments[3]), let data = FileManager.default.contents(atPath: arguments[2])
else {
    FileHandle.standardError.write(Data("usage: triaged-bench sigv4 REQUESTS.json ITERATIONS [--cache-keys]\n".utf8))
    exit(2)
}
let cache = arguments.count == 5
let input = try JSONDecoder().decode(Input.self, from: data)
let credentials = AWSCredentials(
    accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey, sessionToken: input.sessionToken)
let date = Date(timeIntervalSince1970: input.epoch)
let authorizations = try input.requests.map { try sign($0, input, credentials, date, cache: cache) }
let started = DispatchTime.now().uptimeNanoseconds
var sink = 0
for _ in 0..<iterations {
    for request in input.requests { sink &+= try sign(request, input, credentials, date, cache: cache).utf8.count }
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
let total = iterations * input.requests.count
let output: [String: Any] = [
    "authorizations": authorizations, "signed": total, "seconds": seconds, "per_second": Double(total) / seconds,
    "sink": sink, "cached_keys": cache,
]
print(String(decoding: try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys]), as: UTF8.self))
