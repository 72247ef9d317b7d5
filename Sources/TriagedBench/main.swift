import AWSSigning
import Foundation

// triaged-bench sigv4 REQUESTS.json ITERATIONS
//
// Signs each request of the file (the form scripts/bench/sigv4.py writes) ITERATIONS times and
// prints one JSON object: the signatures (to prove the work equals botocore's) and the rate.

struct Input: Decodable {
    struct Request: Decodable {
        let method: String
        let path: String
        let query: String
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

let arguments = CommandLine.arguments
guard arguments.count == 4, arguments[1] == "sigv4", let iterations = Int(arguments[3]),
    let data = FileManager.default.contents(atPath: arguments[2])
else {
    FileHandle.standardError.write(Data("usage: triaged-bench sigv4 REQUESTS.json ITERATIONS\n".utf8))
    exit(2)
}
let input = try JSONDecoder().decode(Input.self, from: data)
let credentials = AWSCredentials(
    accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey, sessionToken: input.sessionToken)
let date = Date(timeIntervalSince1970: input.epoch)
let prepared = input.requests.map { request in
    (
        SigV4Signer(credentials: credentials, region: input.region, signingName: request.service),
        SigV4Request(
            method: request.method, path: request.path, query: request.query,
            headers: HTTPHeaders(request.headers.map { HTTPHeaders.Field(name: $0[0], value: $0[1]) }),
            payload: .bytes(Array(request.body.utf8)))
    )
}
var signatures: [String] = []
for (signer, request) in prepared { signatures.append(try signer.sign(request, at: date).signature) }
let started = DispatchTime.now().uptimeNanoseconds
var sink = 0
for _ in 0..<iterations {
    for (signer, request) in prepared { sink &+= try signer.sign(request, at: date).signature.utf8.count }
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
let total = iterations * prepared.count
let output: [String: Any] = [
    "signatures": signatures, "signed": total, "seconds": seconds, "per_second": Double(total) / seconds,
    "sink": sink,
]
print(String(decoding: try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys]), as: UTF8.self))
