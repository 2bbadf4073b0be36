/// Space the daemon keeps aside on the disk of its database (a file it may delete), so that deletions, which free
/// space, still work when that disk is full: the database needs a little room to record them.
public protocol SpaceReserve: Sendable {
    /// Whether the reserve was given up: writes are refused (507) until it is back.
    var isReleased: Bool { get }
    /// Gives up the reserve; false when there was none to give.
    func release() -> Bool
    /// Puts the reserve back when the disk has room for it to spare; returns whether it is in place.
    @discardableResult
    func restore() -> Bool
}
