import AWSCore
import Foundation

/// A small inline SVG line chart: one or more series over the evidence window, a horizontal
/// threshold line, and vertical markers (alarm time, deployments). Scales to its container's width,
/// so it reads on a phone; no scripts, no fonts fetched.
struct SVGChart {
    struct Line {
        var label: String
        var color: String
        var timestamps: [Date]
        var values: [Double]
        var dashed = false
    }

    struct Marker {
        var label: String
        var at: Date
        var color: String
    }

    var title: String
    var unit: String
    var start: Date
    var end: Date
    var lines: [Line]
    var threshold: Double?
    var markers: [Marker]

    static let width = 640.0
    // Sized for being drawn at about half scale (a phone, or one column of three): text is 18–22
    // user units so that it still reads at 9–11 px.
    static let height = 320.0
    static let left = 70.0
    static let right = 14.0
    static let top = 44.0
    static let bottom = 62.0

    var plotWidth: Double { Self.width - Self.left - Self.right }
    var plotHeight: Double { Self.height - Self.top - Self.bottom }

    func x(_ date: Date) -> Double {
        let span = max(1, end.timeIntervalSince(start))
        let fraction = min(1, max(0, date.timeIntervalSince(start) / span))
        return Self.left + fraction * plotWidth
    }

    func y(_ value: Double, max top: Double) -> Double {
        Self.top + plotHeight - (top > 0 ? min(1, max(0, value / top)) : 0) * plotHeight
    }

    /// The axis top: a 1-2-5 step above the largest value or threshold.
    var axisTop: Double {
        let largest = max(threshold ?? 0, lines.flatMap(\.values).filter(\.isFinite).max() ?? 0)
        guard largest > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(largest)))
        // Near Double's largest value the step above overflows to infinity: the value is the top then.
        for step in [1.0, 2.0, 5.0, 10.0] where step * magnitude >= largest {
            return (step * magnitude).isFinite ? step * magnitude : largest
        }
        return (10 * magnitude).isFinite ? 10 * magnitude : largest
    }

    func render() -> String {
        let top = axisTop
        var svg = [
            "<svg class=\"chart\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"\(HTMLRenderer.escape(title))\" preserveAspectRatio=\"xMidYMid meet\">",
            "<title>\(HTMLRenderer.escape(title))</title>",
            "<text x=\"8\" y=\"26\" class=\"ct\">\(HTMLRenderer.escape(title))</text>",
        ]
        // Grid and y labels at 0, ½ and the top.
        for fraction in [0.0, 0.5, 1.0] {
            let value = top * fraction
            let yy = fmt(y(value, max: top))
            svg.append(
                "<line x1=\"\(fmt(Self.left))\" y1=\"\(yy)\" x2=\"\(fmt(Self.width - Self.right))\" y2=\"\(yy)\" class=\"grid\"/>"
            )
            svg.append(
                "<text x=\"\(fmt(Self.left - 4))\" y=\"\(yy)\" class=\"yl\" dy=\"6\">\(HTMLRenderer.escape(label(value)))</text>"
            )
        }
        // X labels: start, middle, end.
        for (date, anchor) in [
            (start, "start"), (start.addingTimeInterval(end.timeIntervalSince(start) / 2), "middle"), (end, "end"),
        ] {
            svg.append(
                "<text x=\"\(fmt(x(date)))\" y=\"\(fmt(Self.height - 34))\" class=\"xl\" text-anchor=\"\(anchor)\">\(String(ReportText.time(date).prefix(5)))</text>"
            )
        }
        if let threshold {
            let yy = fmt(y(threshold, max: top))
            svg.append(
                "<line x1=\"\(fmt(Self.left))\" y1=\"\(yy)\" x2=\"\(fmt(Self.width - Self.right))\" y2=\"\(yy)\" class=\"threshold\"/>"
            )
            svg.append(
                "<text x=\"\(fmt(Self.width - Self.right - 2))\" y=\"\(yy)\" dy=\"-6\" class=\"tl\" text-anchor=\"end\">threshold \(HTMLRenderer.escape(label(threshold)))</text>"
            )
        }
        // Labels of visible markers take rows in turn, so close markers do not overprint.
        for (index, marker) in markers.filter({ $0.at >= start && $0.at <= end }).enumerated() {
            let position = x(marker.at)
            let xx = fmt(position)
            // Near the right edge the label runs to the left of its line.
            let rightHalf = position > Self.left + plotWidth * 0.6
            svg.append(
                "<line x1=\"\(xx)\" y1=\"\(fmt(Self.top))\" x2=\"\(xx)\" y2=\"\(fmt(Self.top + plotHeight))\" stroke=\"\(marker.color)\" class=\"marker\"/>"
            )
            svg.append(
                "<text x=\"\(xx)\" y=\"\(fmt(Self.top + 18 + Double(index % 3) * 20))\" dx=\"\(rightHalf ? -4 : 4)\" text-anchor=\"\(rightHalf ? "end" : "start")\" class=\"ml\" style=\"fill:\(marker.color)\">\(HTMLRenderer.escape(marker.label))</text>"
            )
        }
        for line in lines {
            let points = zip(line.timestamps, line.values).filter { $0.1.isFinite }.sorted { $0.0 < $1.0 }
            guard !points.isEmpty else { continue }
            let path = points.map { "\(fmt(x($0.0))),\(fmt(y($0.1, max: top)))" }.joined(separator: " ")
            svg.append(
                "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"3\"\(line.dashed ? " stroke-dasharray=\"5 3\"" : "")/>"
            )
            if points.count == 1 {
                svg.append(
                    "<circle cx=\"\(fmt(x(points[0].0)))\" cy=\"\(fmt(y(points[0].1, max: top)))\" r=\"5\" fill=\"\(line.color)\"/>"
                )
            }
        }
        // Legend along the bottom.
        var legendX = Self.left
        for line in lines {
            svg.append(
                "<rect x=\"\(fmt(legendX))\" y=\"\(fmt(Self.height - 16))\" width=\"16\" height=\"6\" fill=\"\(line.color)\"/>"
            )
            svg.append(
                "<text x=\"\(fmt(legendX + 22))\" y=\"\(fmt(Self.height - 8))\" class=\"lg\">\(HTMLRenderer.escape(line.label))</text>"
            )
            legendX += 40 + Double(line.label.count) * 10
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    func label(_ value: Double) -> String {
        let text: String
        if value >= 1e9 {
            // Untrusted telemetry can be absurd (1e300): three significant digits, not 300 of them.
            text = String(format: "%.3g", value)
        } else if value >= 1000 {
            text = String(format: value >= 10_000 ? "%.0fk" : "%.1fk", value / 1000)
        } else if value == value.rounded() {
            text = String(value.wholeNumber)
        } else {
            text = String(format: value < 1 ? "%.3f" : "%.1f", value)
        }
        return text + (unit.isEmpty ? "" : " \(unit)")
    }

    func fmt(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
