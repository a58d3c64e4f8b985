import Foundation

/// A JSON value with its object members in a fixed order, used to read policy files strictly and to
/// write them in a stable, readable layout.
enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(description)
    }

    /// A short name of the value's JSON type, for error messages.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [(String, JSONValue)] = []
            for key in keyed.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                members.append((key.stringValue, try keyed.decode(JSONValue.self, forKey: key)))
            }
            self = .object(members)
            return
        }
        if var unkeyed = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !unkeyed.isAtEnd { items.append(try unkeyed.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Int.self) {
            self = .int(value)
        } else if let value = try? single.decode(Double.self) {
            self = .double(value)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .int(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .double(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .string(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .array(let items):
            var unkeyed = encoder.unkeyedContainer()
            for item in items { try unkeyed.encode(item) }
        case .object(let members):
            var keyed = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in members { try keyed.encode(value, forKey: AnyKey(key)) }
        }
    }

    /// Parses JSON text.
    static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The same value with every object's members sorted: the keys of `first` in that order, then the rest
    /// alphabetically.
    func reordered(first: [String]) -> JSONValue {
        switch self {
        case .array(let items): return .array(items.map { $0.reordered(first: first) })
        case .object(let members):
            let sorted = members.sorted { a, b in
                let ia = first.firstIndex(of: a.0) ?? first.count
                let ib = first.firstIndex(of: b.0) ?? first.count
                return ia != ib ? ia < ib : a.0 < b.0
            }
            return .object(sorted.map { ($0.0, $0.1.reordered(first: first)) })
        default: return self
        }
    }

    /// The same value with every object's members sorted by key (the canonical form a digest is taken of).
    var canonical: JSONValue {
        switch self {
        case .array(let items): .array(items.map(\.canonical))
        case .object(let members): .object(members.sorted { $0.0 < $1.0 }.map { ($0.0, $0.1.canonical) })
        default: self
        }
    }

    /// The member named `key` of an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// Compact JSON text.
    var description: String { render(indent: nil, level: 0) }

    /// Pretty JSON text with two-space indentation; short arrays of scalars stay on one line.
    var prettyText: String { render(indent: "  ", level: 0) + "\n" }

    private func render(indent: String?, level: Int, spaced: Bool = false) -> String {
        let newline = indent == nil ? "" : "\n"
        let pad = String(repeating: indent ?? "", count: level + 1)
        let closePad = String(repeating: indent ?? "", count: level)
        let colon = indent == nil && !spaced ? ":" : ": "
        let comma = indent == nil && !spaced ? "," : ", "
        if indent != nil, level >= 3 {
            let compact = render(indent: nil, level: 0, spaced: true)
            if compact.count <= 100 { return compact }
        }
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return JSONValue.quote(value)
        case .array(let items):
            if items.isEmpty { return "[]" }
            let scalars = items.allSatisfy {
                if case .array = $0 { return false }
                if case .object = $0 { return false }
                return true
            }
            if scalars || indent == nil {
                let inner = items.map { $0.render(indent: nil, level: 0, spaced: spaced) }.joined(
                    separator: indent == nil && !spaced ? "," : ", "
                )
                if indent == nil || inner.count <= 100 { return "[" + inner + "]" }
            }
            let inner = items.map { pad + $0.render(indent: indent, level: level + 1) }
            return "[" + newline + inner.joined(separator: "," + newline) + newline + closePad + "]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            if indent == nil {
                let inner = members.map {
                    JSONValue.quote($0.0) + colon + $0.1.render(indent: nil, level: 0, spaced: spaced)
                }
                return "{" + inner.joined(separator: comma) + "}"
            }
            let inner = members.map {
                pad + JSONValue.quote($0.0) + colon + $0.1.render(indent: indent, level: level + 1)
            }
            return "{" + newline + inner.joined(separator: "," + newline) + newline + closePad + "}"
        }
    }

    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
