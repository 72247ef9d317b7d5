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
/// scanning the UTF-8 bytes once.
func split(_ url: String) -> (host: Substring, path: Substring, query: Substring) {
    let bytes = url.utf8
    var start = bytes.startIndex
    var index = bytes.startIndex
    // Past "scheme://".
    while index < bytes.endIndex && bytes[index] != UInt8(ascii: "/") { index = bytes.index(after: index) }
    if index < bytes.endIndex, bytes[bytes.index(before: index)] == UInt8(ascii: ":") {
        start = bytes.index(index, offsetBy: 2)
        index = start
        while index < bytes.endIndex && bytes[index] != UInt8(ascii: "/") { index = bytes.index(after: index) }
    } else {
        index = start
    }
    let host = url[start..<index]
    let pathStart = index
    while index < bytes.endIndex && bytes[index] != UInt8(ascii: "?") { index = bytes.index(after: index) }
    let path: Substring = pathStart == index ? "/" : url[pathStart..<index]
    let query = index < bytes.endIndex ? url[bytes.index(after: index)...] : ""
    return (host, path, query)
}

func sign(_ request: Input.Request, _ input: Input, _ credentials: AWSCredentials, _ date: Date, cache: Bool) throws
    -> String
{
    let (host, path, query) = split(request.url)
    var fields: [HTTPHeaders.Field] = []
    fields.reserveCapacity(request.headers.count + 1)
    fields.append(HTTPHeaders.Field(name: "Host", value: String(host)))
    for header in request.headers { fields.append(HTTPHeaders.Field(name: header[0], value: header[1])) }
    var signer = SigV4Signer(credentials: credentials, region: input.region, signingName: request.service)
    signer.cachesSigningKey = cache
    let signed = try signer.sign(
        SigV4Request(
            method: request.method, path: String(path), query: String(query), headers: HTTPHeaders(fields),
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
