import AWSSigning
import CCurlOpenSSL
import Foundation

/// Owns one libcurl easy handle. Used by one thread at a time (the transport's pool hands it out);
/// keeping the handle between requests keeps its connection cache, so TLS connections are reused.
final class CurlEasy: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let errorBufferSize: Int

    init() throws {
        let initCode = tc_global_init()
        guard initCode == CURLE_OK, let handle = curl_easy_init() else {
            throw TransportError(
                kind: .other, curlCode: Int(initCode.rawValue), message: "libcurl failed to initialise", url: "")
        }
        self.handle = handle
        errorBufferSize = tc_error_buffer_size()
        errorBuffer = .allocate(capacity: errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: errorBufferSize)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Performs `request` and returns the final response.
    func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        // Reset clears options but keeps live connections, the DNS cache and TLS sessions.
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let sink = ResponseSink(limit: request.maxResponseBytes)
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }

        try check(request.url.withCString { tc_easy_setopt_string(handle, CURLOPT_URL, $0) }, request)
        try check(tc_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), request)
        // Many threads: no signals for DNS time-outs.
        try check(tc_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1), request)
        // Send the path exactly as signed: no removal of "/./" or "/../" (S3 keys may hold them).
        try check(tc_easy_setopt_long(handle, CURLOPT_PATH_AS_IS, 1), request)
        // TLS peer and host verification always on; these are libcurl's defaults, set explicitly.
        try check(tc_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1), request)
        try check(tc_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2), request)
        try check(tc_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1), request)
        try check(tc_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.connectTimeout)), request)
        try check(tc_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(request.timeout)), request)
        try check(tc_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), request)
        try check(tc_easy_setopt_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody), request)
        try check(tc_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer), request)
        try check(tc_easy_setopt_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader), request)
        try check(tc_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer), request)

        for field in request.headers {
            // "Name;" is libcurl's syntax for a header with an empty value.
            let line = field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
            headerList = curl_slist_append(headerList, line)
        }
        // No "Expect: 100-continue" round trip; the header is never signed anyway.
        headerList = curl_slist_append(headerList, "Expect:")
        try check(tc_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, headerList), request)

        let method = request.method.uppercased()
        let code: CURLcode = try request.body.withUnsafeBytes { body in
            switch method {
            case "GET" where request.body.isEmpty:
                try check(tc_easy_setopt_long(handle, CURLOPT_HTTPGET, 1), request)
            case "HEAD":
                try check(tc_easy_setopt_long(handle, CURLOPT_NOBODY, 1), request)
            default:
                // POSTFIELDS does not copy: the bytes stay valid for the whole perform call below.
                try check(
                    tc_easy_setopt_pointer(
                        handle, CURLOPT_POSTFIELDS,
                        UnsafeMutableRawPointer(mutating: body.baseAddress ?? UnsafeRawPointer(emptyBody))), request)
                try check(tc_easy_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), request)
                if method != "POST" {
                    try check(method.withCString { tc_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, $0) }, request)
                }
            }
            return curl_easy_perform(handle)
        }
        if code != CURLE_OK {
            throw transportError(code, request, tooLarge: sink.overflowed)
        }
        var status = 0
        try check(tc_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status), request)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    private func milliseconds(_ interval: TimeInterval) -> Int {
        max(1, Int((interval * 1000).rounded()))
    }

    private func check(_ code: CURLcode, _ request: HTTPRequest) throws {
        if code != CURLE_OK { throw transportError(code, request, tooLarge: false) }
    }

    /// The one place a CURLcode becomes a Swift error, with libcurl's detailed text when it has one.
    private func transportError(_ code: CURLcode, _ request: HTTPRequest, tooLarge: Bool) -> TransportError {
        let detail = String(cString: errorBuffer)
        let generic = String(cString: curl_easy_strerror(code))
        let message = detail.isEmpty ? generic : detail
        let kind = TransportError.kind(curlCode: Int(code.rawValue), tooLarge: tooLarge)
        let text = kind == .responseTooLarge ? "response larger than \(request.maxResponseBytes) bytes" : message
        return TransportError(kind: kind, curlCode: Int(code.rawValue), message: text, url: request.url)
    }
}

private nonisolated(unsafe) let emptyBody = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

/// Collects one response's headers and body from libcurl's callbacks.
private final class ResponseSink {
    let limit: Int
    var body: [UInt8] = []
    var headers = HTTPHeaders()
    var overflowed = false

    init(limit: Int) {
        self.limit = limit
    }

    func appendHeaderLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // A new status line (after 100 Continue or a redirect): only the final response counts.
            headers = HTTPHeaders()
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = String(trimmed[..<colon])
            let value = String(trimmed[trimmed.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            headers.add(name, value)
        }
    }
}

private let curlWriteBody: tc_data_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if sink.body.count + length > sink.limit {
        sink.overflowed = true
        return 0  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

private let curlWriteHeader: tc_data_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    sink.appendHeaderLine(line)
    return length
}
