extension JSON {
    /// The result of applying an RFC 7396 JSON Merge Patch: an object patch merges member by member (a `null`
    /// member removes it, and a non-object target counts as `{}`); any other patch replaces the value.
    public func merging(patch: JSON) -> JSON {
        guard case .object(let changes) = patch else { return patch }
        var members = objectValue ?? [:]
        for (key, change) in changes {
            if change == .null {
                members[key] = nil
            } else {
                members[key] = (members[key] ?? .null).merging(patch: change)
            }
        }
        return .object(members)
    }
}
