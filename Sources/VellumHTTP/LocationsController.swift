import Foundation
import Hummingbird
import VellumCore
import VellumHTTPSupport

/// `GET /locations` and `POST /locations` (`{"name", "uri", "default"}`), for administrators only: the storage
/// locations, and adding one while the daemon runs (as `vellum location add` does).
struct LocationsController {
    let service: FilesServices

    private struct NewLocation: Decodable {
        var name: String
        var uri: String
        var `default`: Bool?
    }

    var routes: RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self)
        routes.get("/locations") { _, context in
            let locations = try await service.administration.locations(by: context.principal)
            return JSONResponse.make(status: .ok) { json in
                json.object { json in
                    json.key("total")
                    json.int(locations.count)
                    json.key("locations")
                    json.array(locations) { json, location in json.location(location) }
                }
            }
        }
        routes.post("/locations") { request, context in
            try context.principal.requireAdmin()
            let body = try await request.smallBody()
            guard let new = try? JSONDecoder().decode(NewLocation.self, from: Data(buffer: body)) else {
                throw APIError(.badRequest, "The request body must be a JSON object with name, uri and optionally default.")
            }
            let location = try await service.administration.addLocation(
                name: new.name, uri: new.uri, isDefault: new.default ?? false, by: context.principal)
            return JSONResponse.make(status: .created) { json in json.location(location) }
        }
        return routes
    }
}

extension JSONWriter {
    mutating func location(_ location: Location) {
        object { json in
            json.key("name")
            json.string(location.name)
            json.key("uri")
            json.string(location.uri)
            json.key("default")
            json.bool(location.isDefault)
            json.key("created")
            json.timestamp(location.created)
        }
    }
}
