import Foundation

/// What one verification of a file found.
public enum FixityOutcome: String, Sendable, CaseIterable {
    case passed
    /// The bytes are there, at the right size, but a digest differs.
    case checksumMismatch = "checksum_mismatch"
    /// Fewer or more bytes than recorded.
    case sizeMismatch = "size_mismatch"
    /// The storage has no bytes for the file.
    case missing
    /// The bytes could not be read (see the detail).
    case unreadable
}

/// Size and digests of a file: as recorded (expected) or as read back (actual, unknown parts nil).
public struct FixityDigests: Sendable, Equatable {
    public var size: Int64?
    public var md5: String?
    public var sha256: String?

    public init(size: Int64?, md5: String?, sha256: String?) {
        self.size = size
        self.md5 = md5
        self.sha256 = sha256
    }
}

/// One verification, as kept in the fixity history.
public struct FixityCheck: Sendable, Equatable {
    public var id: UUID
    public var fileID: UUID
    /// The `fixity run` it belongs to; nil for the daemon's scheduled checks.
    public var runID: UUID?
    public var checkedAt: Date
    public var outcome: FixityOutcome
    public var expected: FixityDigests
    public var actual: FixityDigests
    /// Why the bytes were unreadable or missing (for operators).
    public var detail: String?
    public var duration: Duration
    /// Bytes read.
    public var bytes: Int64

    public init(
        id: UUID = UUID(), fileID: UUID, runID: UUID?, checkedAt: Date, outcome: FixityOutcome,
        expected: FixityDigests, actual: FixityDigests, detail: String?, duration: Duration, bytes: Int64
    ) {
        self.id = id
        self.fileID = fileID
        self.runID = runID
        self.checkedAt = checkedAt
        self.outcome = outcome
        self.expected = expected
        self.actual = actual
        self.detail = detail
        self.duration = duration
        self.bytes = bytes
    }
}

/// A file whose last check failed, with a version that refers to it.
public struct FixityFailure: Sendable, Equatable {
    public var bucketID: UUID
    public var key: String
    public var versionID: UUID
    public var check: FixityCheck

    public init(bucketID: UUID, key: String, versionID: UUID, check: FixityCheck) {
        self.bucketID = bucketID
        self.key = key
        self.versionID = versionID
        self.check = check
    }
}

/// A `fixity run`: every file in its scope checked since `started`, resumable until finished.
public struct FixityRun: Sendable, Equatable {
    public var id: UUID
    public var bucketID: UUID?
    public var started: Date
    public var finished: Date?

    public init(id: UUID, bucketID: UUID?, started: Date, finished: Date?) {
        self.id = id
        self.bucketID = bucketID
        self.started = started
        self.finished = finished
    }
}

/// The audit state: what `GET /fixity` and `vellum fixity status` show.
public struct FixityStatus: Sendable, Equatable {
    public var period: Duration
    public var totals: FixityTotals
    /// How long the oldest past-due check has waited (zero when none is).
    public var lag: Duration
    public var lastRun: FixityRun?
}

/// Counts over the files (not being deleted) and the recent history.
public struct FixityTotals: Sendable, Equatable {
    public var files = 0
    public var bytes: Int64 = 0
    /// Files whose last check passed or failed within the current period.
    public var verifiedInPeriod = 0
    public var neverChecked = 0
    /// Files whose scheduled check is past due, and the earliest such check.
    public var overdue = 0
    public var oldestDue: Date?
    /// Files whose last check failed.
    public var failures = 0
    public var lastCheckAt: Date?
    /// Over the last hour: files and bytes verified, and the time the checks took.
    public var recentFiles = 0
    public var recentBytes: Int64 = 0
    public var recentMicros: Int64 = 0

    public init() {}
}
