import Foundation

/// Turns an error response into `AWSError`, reading each protocol's error shape (and the XML shape
/// some emulators send for JSON services). Never fails: an unreadable body still yields an error
/// named after the HTTP status.
public enum AWSErrorDecoder {
    public static func decode(
        _ response: HTTPResponse, protocol wire: AWSProtocol, service: String = "", operation: String = ""
    ) -> AWSError {
        var code: String?
        var message: String?
        var requestId = response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"]
        var region = response.headers["x-amz-bucket-region"].flatMap { $0.isEmpty ? nil : $0 }

        let trimmed = response.body.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.first == UInt8(ascii: "<"), let root = try? XMLDocumentParser.parse(Array(trimmed)) {
            // query: <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>
            // rest-xml: <Error><Code/><Message/><RequestId/></Error>
            let error = root.name == "Error" ? root : (root.descendant("Error") ?? root)
            code = error.string("Code")
            message = error.string("Message")
            region = region ?? error.string("Region").flatMap { $0.isEmpty ? nil : $0 }
            requestId =
                requestId ?? root.string("RequestId") ?? error.string("RequestId")
                ?? root.descendant("RequestId")?.text.trimmingWhitespace()
        } else if trimmed.first == UInt8(ascii: "{"),
            let object = (try? JSONSerialization.jsonObject(with: Data(trimmed))) as? [String: Any]
        {
            code = (object["__type"] as? String) ?? (object["code"] as? String) ?? (object["Code"] as? String)
            message =
                (object["message"] as? String) ?? (object["Message"] as? String)
                ?? (object["errorMessage"] as? String)
        }
        // restJson puts the code in a header; JSON services may too.
        if let header = response.headers["X-Amzn-ErrorType"], !header.isEmpty {
            if case .restJSON = wire { code = header } else if code == nil { code = header }
        }
        // awsQueryCompatible services keep their legacy code in x-amzn-query-error: "<Code>;<Sender|Receiver>".
        if case .json(_, _, true) = wire, let legacy = response.headers["x-amzn-query-error"],
            let part = legacy.split(separator: ";").first, !part.isEmpty
        {
            code = String(part)
        }
        let finalCode = code.map(sanitize).flatMap { $0.isEmpty ? nil : $0 } ?? fallbackCode(response.status)
        return AWSError(
            code: finalCode, message: message ?? "", httpStatus: response.status, requestId: requestId,
            service: service, operation: operation, region: region)
    }

    /// `aws.protocoltests#FooError:http://internal…` → `FooError`.
    static func sanitize(_ raw: String) -> String {
        var value = Substring(raw.trimmingWhitespace())
        if let colon = value.firstIndex(of: ":") { value = value[..<colon] }
        if let hash = value.lastIndex(of: "#") { value = value[value.index(after: hash)...] }
        return String(value)
    }

    /// Bodiless errors (HEAD, some 304/412) are named after their status.
    static func fallbackCode(_ status: Int) -> String {
        switch status {
        case 301: return "PermanentRedirect"
        case 304: return "NotModified"
        case 400: return "BadRequest"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 409: return "Conflict"
        case 412: return "PreconditionFailed"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 502: return "BadGateway"
        case 503: return "ServiceUnavailable"
        case 504: return "GatewayTimeout"
        default: return "HTTP\(status)"
        }
    }
}
