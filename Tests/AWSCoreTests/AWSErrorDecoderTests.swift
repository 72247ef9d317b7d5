import Testing

@testable import AWSCore

/// Error shapes of each protocol family, from the reference's captured examples.
@Suite("AWS error decoding")
struct AWSErrorDecoderTests {
    @Test("awsQuery ErrorResponse (SNS, STS, ELBv2, CloudWatch)")
    func queryShape() {
        let body = """
            <ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: Subject</Message></Error><RequestId>d74b8436-ae13</RequestId></ErrorResponse>
            """
        let error = AWSErrorDecoder.decode(
            HTTPResponse(status: 400, body: Array(body.utf8)), protocol: .query(apiVersion: "2010-03-31"),
            service: "sns", operation: "Publish")
        #expect(error.code == "InvalidParameter")
        #expect(error.message == "Invalid parameter: Subject")
        #expect(error.requestId == "d74b8436-ae13")
        #expect(error.httpStatus == 400)
        #expect(
            error.description
                == "InvalidParameter: Invalid parameter: Subject (HTTP 400, sns:Publish, request id d74b8436-ae13)")
    }

    @Test("awsJson with a namespaced __type and x-amzn-RequestId (Logs, ECS)")
    func jsonShape() {
        let error = AWSErrorDecoder.decode(
            HTTPResponse(
                status: 400, headers: ["x-amzn-RequestId": "req-1"],
                body: Array(
                    #"{"__type":"com.amazonaws.logs#ResourceNotFoundException","message":"The specified log group does not exist."}"#
                        .utf8)),
            protocol: .json(version: "1.1", targetPrefix: "Logs_20140328", queryCompatible: false))
        #expect(error.code == "ResourceNotFoundException")
        #expect(error.message == "The specified log group does not exist.")
        #expect(error.requestId == "req-1")
    }

    @Test("awsJson query-compatible services report the legacy code from x-amzn-query-error (SQS)")
    func queryCompatibleShape() {
        let error = AWSErrorDecoder.decode(
            HTTPResponse(
                status: 400, headers: ["x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender"],
                body: Array(
                    #"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#
                        .utf8)),
            protocol: .json(version: "1.0", targetPrefix: "AmazonSQS", queryCompatible: true))
        #expect(error.code == "AWS.SimpleQueueService.NonExistentQueue")
        #expect(error.message == "The specified queue does not exist.")
    }

    @Test("restJson takes the code from X-Amzn-ErrorType and the message from Message (X-Ray, Bedrock)")
    func restJSONShape() {
        let error = AWSErrorDecoder.decode(
            HTTPResponse(
                status: 429,
                headers: [
                    "X-Amzn-ErrorType": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"
                ],
                body: Array(#"{"message":"Too many requests, please wait before trying again."}"#.utf8)),
            protocol: .restJSON)
        #expect(error.code == "ThrottlingException")
        #expect(error.message == "Too many requests, please wait before trying again.")
        let xray = AWSErrorDecoder.decode(
            HTTPResponse(
                status: 429, headers: ["X-Amzn-ErrorType": "ThrottledException"],
                body: Array(#"{"Message":"Rate exceeded"}"#.utf8)),
            protocol: .restJSON)
        #expect(xray.code == "ThrottledException")
        #expect(xray.message == "Rate exceeded")
    }

    @Test("restXml <Error> with request id in body and header (S3)")
    func restXMLShape() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition><RequestId>4442587FB7D0A2F9</RequestId><HostId>abc</HostId></Error>
            """
        let error = AWSErrorDecoder.decode(HTTPResponse(status: 412, body: Array(body.utf8)), protocol: .restXML)
        #expect(error.code == "PreconditionFailed")
        #expect(error.requestId == "4442587FB7D0A2F9")
    }

    @Test("HEAD errors without a body fall back to the HTTP status")
    func bodilessShape() {
        let error = AWSErrorDecoder.decode(
            HTTPResponse(status: 404, headers: ["x-amz-request-id": "R1"]), protocol: .restXML)
        #expect(error.code == "NotFound")
        #expect(error.requestId == "R1")
        #expect(AWSErrorDecoder.decode(HTTPResponse(status: 418), protocol: .restXML).code == "HTTP418")
    }

    @Test("emulators that answer JSON services with XML are still understood")
    func xmlFallbackForJSONService() {
        let body =
            "<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>x1</RequestId></ErrorResponse>"
        let error = AWSErrorDecoder.decode(
            HTTPResponse(status: 403, body: Array(body.utf8)),
            protocol: .json(version: "1.1", targetPrefix: "AmazonEC2ContainerServiceV20141113", queryCompatible: false))
        #expect(error.code == "InvalidClientTokenId")
        #expect(error.requestId == "x1")
    }

    @Test("garbage bodies still produce an error named after the status")
    func garbage() {
        let error = AWSErrorDecoder.decode(
            HTTPResponse(status: 503, body: Array("<html><body>Service Unavailable".utf8)),
            protocol: .query(apiVersion: "x"))
        #expect(error.code == "ServiceUnavailable")
    }

    @Test(
        "code sanitising",
        arguments: [
            ("com.amazonaws.sqs#QueueDoesNotExist", "QueueDoesNotExist"),
            ("ThrottlingException:http://internal.amazon.com/coral/", "ThrottlingException"),
            ("aws.protocoltests.restjson#FooError:http://internal.amazon.com/", "FooError"),
            ("  ValidationException ", "ValidationException"),
        ])
    func sanitize(_ raw: String, _ expected: String) {
        #expect(AWSErrorDecoder.sanitize(raw) == expected)
    }
}
