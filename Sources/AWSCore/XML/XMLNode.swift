/// An XML element as AWS query and REST-XML APIs return them: a name, attributes, child elements
/// and the concatenated text directly inside it.
public struct XMLNode: Sendable, Equatable {
    /// The element name, with any namespace prefix removed.
    public var name: String
    /// Attributes by name.
    public var attributes: [String: String]
    /// Child elements in document order.
    public var children: [XMLNode]
    /// Character data directly inside this element (entities decoded, CDATA included).
    public var text: String

    public init(name: String, attributes: [String: String] = [:], children: [XMLNode] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child named `name`.
    public func child(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    /// All children named `name`.
    public func children(_ name: String) -> [XMLNode] {
        children.filter { $0.name == name }
    }

    /// Follows a path of child names, e.g. `node["Error", "Code"]`.
    public subscript(_ path: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in path { node = node?.child(name) }
        return node
    }

    /// The trimmed text of the child at `path`, if that child exists.
    public func string(_ path: String...) -> String? {
        var node: XMLNode? = self
        for name in path { node = node?.child(name) }
        return node?.text.trimmingWhitespace()
    }

    /// The first descendant (depth first, self included) named `name`.
    public func descendant(_ name: String) -> XMLNode? {
        if self.name == name { return self }
        for child in children {
            if let found = child.descendant(name) { return found }
        }
        return nil
    }

    /// The `member` items of a query-protocol list element.
    public var members: [XMLNode] { children("member") }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
