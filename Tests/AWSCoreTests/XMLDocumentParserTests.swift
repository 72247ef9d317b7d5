import Testing

@testable import AWSCore

@Suite("XML parser")
struct XMLDocumentParserTests {
    @Test("a DescribeAlarms response: lists of members, namespaces, empty elements")
    func describeAlarms() throws {
        let xml = """
            <?xml version="1.0"?>
            <DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
              <DescribeAlarmsResult>
                <MetricAlarms>
                  <member><AlarmName>prod-api-cpu-high</AlarmName><OKActions/>
                    <Dimensions><member><Name>ClusterName</Name><Value>prod</Value></member></Dimensions>
                  </member>
                  <member><AlarmName>second</AlarmName></member>
                </MetricAlarms>
                <CompositeAlarms/>
                <NextToken>eyJ2IjoxfQ==</NextToken>
              </DescribeAlarmsResult>
              <ResponseMetadata><RequestId>8d1e2f3a</RequestId></ResponseMetadata>
            </DescribeAlarmsResponse>
            """
        let root = try XMLDocumentParser.parse(xml)
        #expect(root.name == "DescribeAlarmsResponse")
        #expect(root.attributes["xmlns"] == "http://monitoring.amazonaws.com/doc/2010-08-01/")
        let alarms = root["DescribeAlarmsResult", "MetricAlarms"]?.members ?? []
        #expect(alarms.map { $0.string("AlarmName") } == ["prod-api-cpu-high", "second"])
        #expect(alarms.first?["Dimensions"]?.members.first?.string("Value") == "prod")
        #expect(root.string("DescribeAlarmsResult", "NextToken") == "eyJ2IjoxfQ==")
        #expect(root.string("ResponseMetadata", "RequestId") == "8d1e2f3a")
        #expect(root["DescribeAlarmsResult", "CompositeAlarms"]?.children.isEmpty == true)
    }

    @Test("entities, character references, CDATA, comments and prefixed names")
    func textForms() throws {
        let root = try XMLDocumentParser.parse(
            "<a:Root xmlns:a='x'><!-- c --><V>1 &lt; 2 &amp;&amp; &quot;q&quot; &#65;&#x42; &apos;</V><C><![CDATA[<raw> & stuff]]></C></a:Root>"
        )
        #expect(root.name == "Root")
        #expect(root.string("V") == "1 < 2 && \"q\" AB '")
        #expect(root.string("C") == "<raw> & stuff")
    }

    @Test("DOCTYPE internal subsets are skipped, never expanded")
    func noEntityExpansion() throws {
        let xml = "<!DOCTYPE r [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;\">]><r>&lt;ok&gt;</r>"
        #expect(try XMLDocumentParser.parse(xml).text == "<ok>")
        #expect(throws: XMLDocumentParser.ParseError.self) {
            try XMLDocumentParser.parse("<!DOCTYPE r [<!ENTITY a \"x\">]><r>&a;</r>")
        }
    }

    @Test(
        "malformed documents are errors with an offset",
        arguments: [
            "", "plain text", "<a>", "<a></b>", "<a><b></a>", "<a x=1/>", "<a>&bogus;</a>", "<a></a><b/>",
            "<a>&#xFFFFFFFF;</a>",
        ])
    func malformed(_ xml: String) {
        #expect(throws: XMLDocumentParser.ParseError.self) { try XMLDocumentParser.parse(xml) }
    }

    @Test("nesting beyond the depth limit is refused, not a stack overflow")
    func depthLimit() {
        let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        #expect(throws: XMLDocumentParser.ParseError.self) { try XMLDocumentParser.parse(deep) }
        let fine = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: Never.self) { try XMLDocumentParser.parse(fine) }
    }
}
