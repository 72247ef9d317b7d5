import AWSSigning
import Foundation

/// Parses the timestamp forms AWS sends: ISO-8601 with `Z`, `+00:00` or `+0000` offsets and
/// optional fractional seconds (`2025-01-15T13:00:00Z`, `2024-07-05T15:20:44.959+0000`).
public enum AWSTimestamp {
    /// The instant `text` denotes, or `nil` if it is not one of the accepted forms.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.trimmingWhitespace().utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"),
            bytes[16] == UInt8(ascii: ":"), let year = number(0..<4), let month = number(5..<7),
            let day = number(8..<10), let hour = number(11..<13), let minute = number(14..<16),
            let second = number(17..<19), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < bytes.count {
            let sign = bytes[index]
            if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
                index += 1
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                let rest = bytes.count - index - 1
                guard let hours = number((index + 1)..<(index + 3)) else { return nil }
                var minutes = 0
                if rest == 5, bytes[index + 3] == UInt8(ascii: ":"), let m = number((index + 4)..<(index + 6)) {
                    minutes = m
                    index += 6
                } else if rest == 4, let m = number((index + 3)..<(index + 5)) {
                    minutes = m
                    index += 5
                } else if rest == 2 {
                    index += 3
                } else {
                    return nil
                }
                offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        guard index == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// `2025-01-15T13:00:00Z` (UTC, whole seconds), the form the query protocol sends.
    public static func format(_ date: Date) -> String {
        let c = UTCComponents(date)
        func pad(_ value: Int, _ width: Int = 2) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day))T\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))Z"
    }

    /// `2025-01-15T13:00:00.123Z` (UTC, milliseconds), the form reports and notifications use.
    public static func formatMilliseconds(_ date: Date) -> String {
        // Rounded to the microsecond first so that binary noise (…958.9999) cannot move the millisecond.
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = micros / 1_000_000
        if micros < 0 && micros % 1_000_000 != 0 { seconds -= 1 }
        let millis = Int((micros - seconds * 1_000_000) / 1000)
        let digits = String(millis)
        return String(format(Date(timeIntervalSince1970: Double(seconds))).dropLast())
            + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
