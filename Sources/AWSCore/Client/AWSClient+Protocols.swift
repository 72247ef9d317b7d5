import AWSSigning
import Foundation

/// A response body that did not have the shape the operation promises.
public struct AWSResponseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let service: String
    public let operation: String
    public let reason: String

    public init(service: String, operation: String, reason: String) {
        self.service = service
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "unreadable \(service) \(operation) response: \(reason)" }
}

extension AWSClient {
    /// Calls an awsQuery operation and returns its `<ActionResult>` element (or the root element
    /// when the operation has no result element).
    public func query(_ action: String, _ parameters: QueryParameters = QueryParameters()) throws -> XMLNode {
        guard case .query(let version) = service.wireProtocol else {
            preconditionFailure("\(service.id) does not speak the query protocol")
        }
        let body = Array(parameters.body(action: action, version: version).utf8)
        let response = try send(
            operation: action, method: "POST", path: "/",
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"], body: body)
        let root: XMLNode
        do {
            root = try XMLDocumentParser.parse(response.body)
        } catch {
            throw AWSResponseError(service: service.id, operation: action, reason: "\(error)")
        }
        return root.child("\(action)Result") ?? root
    }

    /// Calls an awsJson operation with a JSON body and returns the response body.
    public func json(_ operation: String, body: Data, timeout: TimeInterval? = nil) throws -> Data {
        guard case .json(let version, let targetPrefix, let queryCompatible) = service.wireProtocol else {
            preconditionFailure("\(service.id) does not speak the JSON protocol")
        }
        var headers: HTTPHeaders = [
            "Content-Type": "application/x-amz-json-\(version)", "X-Amz-Target": "\(targetPrefix).\(operation)",
        ]
        if queryCompatible { headers.add("x-amzn-query-mode", "true") }
        let response = try send(
            operation: operation, method: "POST", path: "/", headers: headers, body: Array(body), timeout: timeout)
        return response.body.isEmpty ? Data("{}".utf8) : Data(response.body)
    }

    /// Calls an awsJson operation with `Encodable` input and decodes `Output` (timestamps are epoch seconds).
    public func json<Input: Encodable, Output: Decodable>(
        _ operation: String, _ input: Input, as output: Output.Type = Output.self
    ) throws -> Output {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let data = try json(operation, body: try encoder.encode(input))
        return try decodeJSON(output, from: data, operation: operation)
    }

    /// Calls a REST operation (restJson or restXml). `path` and `query` are wire-encoded.
    public func rest(
        _ operation: String, method: String, path: String, query: String = "", headers: HTTPHeaders = [:],
        body: [UInt8] = [], payload: SigV4Request.Payload? = nil, timeout: TimeInterval? = nil,
        endpoint: AWSEndpoint? = nil
    ) throws -> HTTPResponse {
        try send(
            operation: operation, method: method, path: path, query: query, headers: headers, body: body,
            payload: payload, timeout: timeout, endpoint: endpoint)
    }

    /// Decodes a JSON response body, naming the operation when the shape is wrong.
    public func decodeJSON<Output: Decodable>(_ type: Output.Type, from data: Data, operation: String) throws -> Output
    {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw AWSResponseError(service: service.id, operation: operation, reason: "\(error)")
        }
    }
}
