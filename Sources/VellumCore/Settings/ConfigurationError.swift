/// A setting, URL or location URI that Vellum cannot use, named in the message.
public struct ConfigurationError: DomainError, Equatable {
    public var message: String
    public var detail: String? { nil }

    public init(_ message: String) { self.message = message }
}
