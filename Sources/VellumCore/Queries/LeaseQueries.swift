import Foundation

/// Named leases (`leases`): one holder at a time, until a time.
public protocol LeaseQueries {
    /// Takes (or renews) the lease `name` for `holder` until `until`, unless another holder has it past `now`;
    /// returns the holder and expiry that stand after the call.
    func takeLease(_ name: String, holder: String, until: Date, now: Date) async throws -> (holder: String, until: Date)

    func releaseLease(_ name: String, holder: String) async throws
}
