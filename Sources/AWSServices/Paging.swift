/// Token pagination shared by the clients.
enum Paging {
    /// Calls `page` with the previous page's token (nil first) until the service returns no token,
    /// `max` items were collected or `maxPages` pages were read. A token the service repeats ends
    /// the paging rather than looping. Pages may be empty while a token is returned.
    static func collect<Item>(
        max: Int = .max, maxPages: Int = 1000, _ page: (String?) throws -> (items: [Item], next: String?)
    ) rethrows -> (items: [Item], pages: Int, exhausted: Bool) {
        var items: [Item] = []
        var token: String?
        var pages = 0
        repeat {
            let (found, next) = try page(token)
            items += found
            pages += 1
            let nextToken = next.flatMap { $0.isEmpty ? nil : $0 }
            token = nextToken == token ? nil : nextToken
        } while token != nil && items.count < max && pages < maxPages
        return (Array(items.prefix(max)), pages, token == nil)
    }
}
