import Foundation
import VellumCore

/// Downloads redirected to the store (`redirect_downloads=true`): a presigned GET, valid for five minutes, that
/// makes S3 answer with Vellum's sanitised `Content-Type` and `Content-Disposition`.
extension S3Storage {
    static let downloadURLLifetime = 300

    public func downloadURL(_ id: UUID, contentType: String, disposition: String) -> String? {
        guard client.location.redirectDownloads else { return nil }
        let address = client.location.address(key: Self.blobKey(id))
        let query = client.signer.presignedQuery(
            method: "GET", path: address.path, host: address.host,
            extra: [("response-content-type", contentType), ("response-content-disposition", disposition)],
            expires: Self.downloadURLLifetime, date: Date())
        return address.url + "?" + query
    }
}
