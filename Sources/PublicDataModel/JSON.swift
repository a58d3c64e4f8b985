import Foundation

/// A JSON document could not be read as a model type; names the coding path of the problem.
public struct ModelDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The type being decoded.
    public var typeName: String
    /// The JSON path of the problem, e.g. `"$.scope[1].entry"`.
    public var path: String
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(typeName: String, path: String, message: String) {
        self.typeName = typeName
        self.path = path
        self.message = message
    }

    /// `cannot read TYPE at PATH: MESSAGE`.
    public var description: String { "cannot read \(typeName) at \(path): \(message)" }
}

/// The library's one JSON style, stable across releases.
///
/// - Keys are the Swift property names (camelCase), written in sorted order.
/// - Instants are ISO 8601 strings in UTC with milliseconds, e.g. `"2026-03-31T16:00:00.000Z"`.
/// - Calendar days (``CivilDate``) are `"YYYY-MM-DD"`; money is `{"currency":"CNY","fen":1250}`;
///   identifiers and enumerations are strings (enumerations in snake_case).
/// - Slashes are not escaped.
public enum PublicDataJSON {
    /// A new encoder configured with the library's style; encoding an instant outside years 1…9999 throws
    /// `EncodingError.invalidValue` (it could not be read back).
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            let ms = date.millisecondsSince1970
            guard date.timeIntervalSince1970.isFinite, ms >= earliestInstantMilliseconds,
                ms <= latestInstantMilliseconds
            else {
                // The value reported is the millisecond count: Foundation's `Date.description` itself traps for
                // instants this far out, so an error carrying the `Date` would crash whoever prints it.
                throw EncodingError.invalidValue(
                    ms,
                    EncodingError.Context(
                        codingPath: encoder.codingPath,
                        debugDescription: "An instant must lie in years 0001 to 9999 to be written, got \(ms) ms."
                    )
                )
            }
            try container.encode(formatInstant(date))
        }
        return encoder
    }

    /// A new decoder configured with the library's style.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseInstant(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "Expected an ISO 8601 instant such as 2026-03-31T16:00:00.000Z, got \"\(text)\"."
                )
            }
            return date
        }
        return decoder
    }

    /// One decoder and one encoder in the library's style, shared: decoding and encoding do not mutate them.
    static let sharedDecoder = makeDecoder()
    static let sharedEncoder = makeEncoder()

    /// Encodes `value` in the library's style.
    ///
    /// The library's fast writer produces the bytes `JSONEncoder` would; whatever it cannot vouch for (floating
    /// point numbers, data, URLs, decimals, out-of-range instants) is encoded by `JSONEncoder` itself.
    /// - Throws: `EncodingError`.
    public static func encode(_ value: some Encodable) throws -> Data {
        if let data = FastJSON.encode(value) { return data }
        return try sharedEncoder.encode(value)
    }

    /// Decodes `type` from `data`, turning any failure into a ``ModelDecodingError`` with the coding path.
    ///
    /// The library's fast reader decodes first; whatever it cannot vouch for (and every failure) is decoded
    /// again by `JSONDecoder`, so the value or the error is the one `JSONDecoder` gives.
    /// - Throws: ``ModelDecodingError``.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(ModelDecodingError) -> T {
        if let value = FastJSON.decode(type, from: data) { return value }
        do {
            return try sharedDecoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw describe(error, decoding: type)
        } catch {
            throw ModelDecodingError(typeName: String(describing: type), path: "$", message: "\(error)")
        }
    }

    /// Converts a `DecodingError` into a ``ModelDecodingError`` with a `$.a[0].b` path.
    public static func describe<T>(_ error: DecodingError, decoding type: T.Type) -> ModelDecodingError {
        let name = String(describing: type)
        switch error {
        case .typeMismatch(let expected, let context):
            return ModelDecodingError(
                typeName: name,
                path: jsonPath(context.codingPath),
                message: "expected \(expected): \(context.debugDescription)"
            )
        case .valueNotFound(let expected, let context):
            return ModelDecodingError(
                typeName: name,
                path: jsonPath(context.codingPath),
                message: "missing value of type \(expected)"
            )
        case .keyNotFound(let key, let context):
            return ModelDecodingError(
                typeName: name,
                path: jsonPath(context.codingPath + [key]),
                message: "missing key \"\(key.stringValue)\""
            )
        case .dataCorrupted(let context):
            return ModelDecodingError(
                typeName: name,
                path: jsonPath(context.codingPath),
                message: context.debugDescription
            )
        @unknown default:
            return ModelDecodingError(typeName: name, path: "$", message: "\(error)")
        }
    }

    /// `$`, `$.key`, `$.list[2].key` for a coding path.
    public static func jsonPath(_ codingPath: [any CodingKey]) -> String {
        var path = "$"
        for key in codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += "." + key.stringValue
            }
        }
        return path
    }

    /// The earliest instant the JSON style writes: 0001-01-01T00:00:00.000Z.
    public static let earliestInstantMilliseconds: Int64 = -62_135_596_800_000
    /// The latest instant the JSON style writes: 9999-12-31T23:59:59.999Z.
    public static let latestInstantMilliseconds: Int64 = 253_402_300_799_999

    /// Formats an instant as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC).
    ///
    /// Total for every `Date`: an instant outside years 1…9999 (see ``earliestInstantMilliseconds`` and
    /// ``latestInstantMilliseconds``) is written with its proleptic Gregorian year, which ``parseInstant(_:)``
    /// does not read back; the encoder of ``makeEncoder()`` refuses such instants instead.
    public static func formatInstant(_ date: Date) -> String {
        let ms = date.millisecondsSince1970
        // Floor division without converting through Double or multiplying back (no overflow near Int64.min).
        var days = ms / 86_400_000
        var remainder = ms % 86_400_000
        if remainder < 0 {
            days -= 1
            remainder += 86_400_000
        }
        let msOfDay = Int(remainder)
        let day = CivilDate(daysSinceEpoch: Int(days))
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let hours = msOfDay / 3_600_000
        let minutes = msOfDay / 60_000 % 60
        let seconds = msOfDay / 1000 % 60
        let millis = msOfDay % 1000
        return "\(day)T\(pad(hours, 2)):\(pad(minutes, 2)):\(pad(seconds, 2)).\(pad(millis, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` or with a `±HH:MM` offset; `nil` otherwise.
    public static func parseInstant(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count >= 20, chars[10] == UInt8(ascii: "T"),
            let day = CivilDate(String(decoding: chars[0..<10], as: UTF8.self))
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count else { return nil }
            var value = 0
            for c in chars[range] {
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
            let hours = number(11..<13), let minutes = number(14..<16), let seconds = number(17..<19),
            hours < 24, minutes < 60, seconds < 60
        else { return nil }
        var index = 19
        var millis = 0
        if chars[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 { index += 1 }
            let digits = index - start
            guard digits >= 1, let fraction = number(start..<min(index, start + 3)) else { return nil }
            millis = fraction * [100, 10, 1][min(digits, 3) - 1]
        }
        var offsetSeconds = 0
        guard index < chars.count else { return nil }
        if chars[index] == UInt8(ascii: "Z") {
            guard index + 1 == chars.count else { return nil }
        } else if chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-") {
            guard index + 6 == chars.count, chars[index + 3] == UInt8(ascii: ":"),
                let oh = number(index + 1..<index + 3), let om = number(index + 4..<index + 6)
            else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (chars[index] == UInt8(ascii: "+") ? 1 : -1)
        } else {
            return nil
        }
        let secondsOfDay = hours * 3600 + minutes * 60 + seconds - offsetSeconds
        let ms = (Int64(day.daysSinceEpoch) * 86_400 + Int64(secondsOfDay)) * 1000 + Int64(millis)
        return Date(millisecondsSince1970: ms)
    }
}
