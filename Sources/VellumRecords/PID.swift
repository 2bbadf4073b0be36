import Foundation

/// A persistent identifier (api.md §8): a record id or a concept id (`recid`), or a DOI, pointing at a record or at a
/// concept (all versions of a work). A PID is never given twice: a deleted one stays, deleted.
public struct PID: Sendable, Equatable {
    public enum Scheme: String, Sendable, CaseIterable {
        case recid
        case doi
    }

    /// Where a PID stands. A recid is reserved with its draft and registered when the record is published; a DOI is
    /// reserved when it is minted (on publish) and registered once DataCite has it. `redirected` points at another
    /// PID; `deleted` is for good.
    public enum Status: String, Sendable, CaseIterable {
        case new
        case reserved
        case registered
        case redirected
        case deleted

        /// The moves the PID store allows, all in one place: forward only; a redirect only from a registered PID;
        /// nothing from deleted.
        public func allows(_ next: Status) -> Bool {
            switch (self, next) {
            case (.new, .reserved), (.new, .registered), (.new, .deleted): true
            case (.reserved, .registered), (.reserved, .deleted): true
            case (.registered, .redirected), (.registered, .deleted): true
            case (.redirected, .registered), (.redirected, .deleted): true
            default: false
            }
        }
    }

    public enum Object: String, Sendable {
        case record
        case concept
    }

    public var scheme: Scheme
    /// A DOI's value is kept in lower case (DOIs are case-insensitive); a recid's is its decimal number.
    public var value: String
    public var status: Status
    public var object: Object
    public var objectID: Int64
    /// The PID a redirected one points at.
    public var redirect: Reference?
    public var created: Date
    public var updated: Date

    public struct Reference: Sendable, Equatable, Hashable {
        public var scheme: Scheme
        public var value: String

        public init(_ scheme: Scheme, _ value: String) {
            self.scheme = scheme
            self.value = scheme == .doi ? value.lowercased() : value
        }
    }

    public init(
        _ reference: Reference, status: Status, object: Object, objectID: Int64, redirect: Reference? = nil, created: Date,
        updated: Date
    ) {
        self.scheme = reference.scheme
        self.value = reference.value
        self.status = status
        self.object = object
        self.objectID = objectID
        self.redirect = redirect
        self.created = created
        self.updated = updated
    }

    public var reference: Reference { Reference(scheme, value) }
}

/// One thing that happened to a PID: its status changed, or (for a DOI) DataCite was told or failed.
public struct PIDEvent: Sendable, Equatable {
    public var pid: PID.Reference
    public var at: Date
    /// `reserved`, `registered`, `redirected`, `deleted`, or the DOI's `datacite-…` outcomes.
    public var event: String
    public var detail: String?

    public init(pid: PID.Reference, at: Date, event: String, detail: String? = nil) {
        self.pid = pid
        self.at = at
        self.event = event
        self.detail = detail
    }
}

/// A DOI that DataCite must be told about (its current state: registered with the record's metadata, or hidden
/// once deleted), kept in the database until it is done, so that it survives restarts and is shared by daemons.
public struct DOITask: Sendable, Equatable {
    public enum State: String, Sendable {
        /// To be sent at `due` (again after a failure worth retrying, with back-off).
        case pending
        /// DataCite refused it (a 4xx): not retried until the record changes or `vellum pid retry`.
        case failed
    }

    public var doi: String
    public var state: State
    public var due: Date
    public var attempts: Int
    public var lastError: String?
    /// Counts the requests for this DOI: a task done while a newer request came is not removed.
    public var generation: Int

    public init(doi: String, state: State, due: Date, attempts: Int, lastError: String?, generation: Int) {
        self.doi = doi
        self.state = state
        self.due = due
        self.attempts = attempts
        self.lastError = lastError
        self.generation = generation
    }
}
