import Foundation
import Testing

@testable import AWSCore

@Suite("curl transport on loopback")
struct CurlTransportTests {
    @Test("methods, headers, bodies and statuses round-trip; the path is sent as is")
    func roundTrip() throws {
        let server = try LoopbackHTTPServer { request in
            LoopbackHTTPServer.Reply(
                status: request.method == "PUT" ? 201 : 404, headers: [("x-amz-request-id", "R1"), ("X-Multi", "a")],
                body: Array("echo:\(request.method):\(String(decoding: request.body, as: UTF8.self))".utf8))
        }
        defer { server.stop() }
        let transport = CurlTransport()
        let put = try transport.send(
            HTTPRequest(
                method: "PUT", url: server.baseURL + "/bucket/a/./b/../c%2Bd.json?x=1",
                headers: ["Content-Type": "application/json", "If-None-Match": "*", "X-Empty": ""],
                body: Array(#"{"a":1}"#.utf8)))
        #expect(put.status == 201)
        #expect(put.text == #"echo:PUT:{"a":1}"#)
        #expect(put.headers["x-amz-request-id"] == "R1")
        let seen = try #require(server.requests.first)
        #expect(seen.target == "/bucket/a/./b/../c%2Bd.json?x=1")
        #expect(seen.header("If-None-Match") == "*")
        #expect(seen.header("X-Empty") == "")
        #expect(seen.header("Expect") == nil)
        #expect(seen.header("Content-Length") == "7")

        let get = try transport.send(HTTPRequest(method: "GET", url: server.baseURL + "/missing"))
        #expect(get.status == 404)
        let head = try transport.send(HTTPRequest(method: "HEAD", url: server.baseURL + "/h"))
        #expect(head.body.isEmpty)
        let post = try transport.send(HTTPRequest(method: "POST", url: server.baseURL + "/", body: []))
        #expect(post.text == "echo:POST:")
    }

    @Test("sequential calls reuse one kept-alive connection")
    func keepAlive() throws {
        let server = try LoopbackHTTPServer { _ in LoopbackHTTPServer.Reply(body: Array("ok".utf8)) }
        defer { server.stop() }
        let transport = CurlTransport()
        for _ in 0..<5 {
            #expect(
                try transport.send(HTTPRequest(method: "POST", url: server.baseURL + "/", body: Array("x".utf8))).text
                    == "ok")
        }
        #expect(server.connectionCount == 1)
    }

    @Test("failures become typed transport errors: refused, timeout, oversized response, closed early")
    func failures() throws {
        let transport = CurlTransport()
        // A port nothing listens on: bind a server, note its port, stop it.
        let closed = try LoopbackHTTPServer { _ in LoopbackHTTPServer.Reply() }
        let deadPort = closed.port
        closed.stop()
        #expect { try transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(deadPort)/")) } throws: {
            ($0 as? TransportError)?.kind == .connection
        }

        let slow = try LoopbackHTTPServer { _ in LoopbackHTTPServer.Reply(delay: 2) }
        defer { slow.stop() }
        #expect { try transport.send(HTTPRequest(method: "GET", url: slow.baseURL + "/", timeout: 0.3)) } throws: {
            ($0 as? TransportError)?.kind == .timeout
        }

        let big = try LoopbackHTTPServer { _ in LoopbackHTTPServer.Reply(body: [UInt8](repeating: 65, count: 100_000)) }
        defer { big.stop() }
        #expect {
            try transport.send(HTTPRequest(method: "GET", url: big.baseURL + "/", maxResponseBytes: 1000))
        } throws: {
            ($0 as? TransportError)?.kind == .responseTooLarge
        }

        let rude = try LoopbackHTTPServer { _ in LoopbackHTTPServer.Reply(closeWithoutResponse: true) }
        defer { rude.stop() }
        #expect { try transport.send(HTTPRequest(method: "GET", url: rude.baseURL + "/")) } throws: {
            ($0 as? TransportError)?.kind == .connection
        }
        #expect { try transport.send(HTTPRequest(method: "GET", url: "gopher://127.0.0.1/")) } throws: {
            ($0 as? TransportError)?.kind == .invalidRequest
        }
    }

    @Test("TLS peers are verified: a plain-http port spoken to as https fails, it is never retried insecurely")
    func tlsVerification() throws {
        let server = try LoopbackHTTPServer { _ in LoopbackHTTPServer.Reply() }
        defer { server.stop() }
        #expect(throws: TransportError.self) {
            try CurlTransport().send(HTTPRequest(method: "GET", url: "https://127.0.0.1:\(server.port)/", timeout: 3))
        }
    }
}
