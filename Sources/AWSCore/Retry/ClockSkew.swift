import Foundation

/// Clock-skew detection and correction. botocore never corrects skew; like the Java SDK, this
/// client treats `RequestTimeTooSkewed`, `RequestExpired` and `RequestInTheFuture` as skew, and
/// `SignatureDoesNotMatch`/`InvalidSignatureException`/`AuthFailure` as skew only when the message
/// says "Signature expired"/"Signature not yet current" or the response `Date` differs from the
/// local clock by four minutes or more. The offset (server `Date` − local time) is kept by the
/// client and every later request is signed with `local time + offset`.
public enum ClockSkew {
    /// Codes that always mean the request time was too far from AWS's clock.
    public static let definiteCodes: Set<String> = ["RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"]
    /// Codes that mean skew only with the right message or a large `Date` difference.
    public static let possibleCodes: Set<String> = [
        "SignatureDoesNotMatch", "InvalidSignatureException", "AuthFailure",
    ]
    /// The difference to the response `Date` from which a possible code counts as skew.
    public static let threshold: TimeInterval = 240

    /// The offset to add to the local clock, if `error` is a clock-skew error and the response
    /// carries a usable `Date`; `nil` otherwise.
    public static func correction(for error: AWSError, responseDate: String?, localNow: Date) -> TimeInterval? {
        guard let responseDate, let serverNow = AWSTimestamp.parseHTTPDate(responseDate) else { return nil }
        let offset = serverNow.timeIntervalSince(localNow)
        if definiteCodes.contains(error.code) { return offset }
        guard possibleCodes.contains(error.code) else { return nil }
        let message = error.message.lowercased()
        if message.contains("signature expired") || message.contains("signature not yet current") { return offset }
        return abs(offset) >= threshold ? offset : nil
    }
}

extension AWSTimestamp {
    private static let monthNames = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]

    /// Parses an HTTP `Date` header in IMF-fixdate form (`Wed, 15 Jan 2025 12:00:00 GMT`).
    public static func parseHTTPDate(_ text: String) -> Date? {
        let parts = text.trimmingWhitespace().split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int(parts[1]), let month = monthNames.firstIndex(of: parts[2].lowercased()),
            let year = Int(parts[3])
        else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3, (1...31).contains(day), (0..<24).contains(time[0]), (0..<60).contains(time[1]),
            (0...60).contains(time[2])
        else { return nil }
        let days = daysFromCivil(year: year, month: month + 1, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + time[0] * 3600 + time[1] * 60 + time[2]))
    }
}
