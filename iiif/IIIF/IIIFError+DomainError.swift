import IIIFGrammar
import VellumCore

/// The grammar's error is one of Vellum's domain errors, mapped by each front-end like the others.
extension IIIFError: DomainError {}
