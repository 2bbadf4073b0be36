import ArgumentParser
import IIIFGrammar
import VellumCore
import VellumRecords

extension ExitCode {
    /// The command line's one mapping from the domain's errors to exit statuses, with `sysexits.h`'s numbers so
    /// that scripts can tell a bad request from a fault worth retrying. 1 stays "the command ran and found failures"
    /// (files that failed fixity or migration, pending schema steps); 64 is a usage error (swift-argument-parser's).
    init(for error: any DomainError) {
        switch error {
        case is ConfigurationError: self = .configuration
        case let error as FilesError:
            switch error.reason {
            case .invalid, .invalidField, .conflict, .preconditionFailed: self = .dataError
            case .notFound: self = .noInput
            case .unauthenticated, .forbidden: self = .noPermission
            case .failure: self = .software
            }
        case let error as StorageError:
            switch error.reason {
            case .missing, .full, .tooLarge: self = .ioError
            case .tooManyOpenFiles, .unavailable, .conflict: self = .temporaryFailure
            case .failure: self = .software
            }
        case let error as IIIFError:
            switch error.reason {
            case .invalidRequest, .tooLarge, .undecodable, .notImplemented: self = .dataError
            case .notFound: self = .noInput
            case .busy: self = .temporaryFailure
            case .failure: self = .software
            }
        case let error as RecordsError:
            switch error.reason {
            case .invalid, .conflict, .revisionMismatch: self = .dataError
            case .notFound, .gone: self = .noInput
            case .tampered: self = .software
            }
        default: self = .software
        }
    }

    static let dataError = ExitCode(65)  // EX_DATAERR: the input is wrong, or conflicts with what is stored
    static let noInput = ExitCode(66)  // EX_NOINPUT: what the command names does not exist
    static let software = ExitCode(70)  // EX_SOFTWARE: an internal failure
    static let ioError = ExitCode(74)  // EX_IOERR: stored bytes missing, a disk full, a file too large
    static let temporaryFailure = ExitCode(75)  // EX_TEMPFAIL: try again later (storage unreachable, busy, a race)
    static let noPermission = ExitCode(77)  // EX_NOPERM
    static let configuration = ExitCode(78)  // EX_CONFIG: a setting or URI that cannot be used
}
