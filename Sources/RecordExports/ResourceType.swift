/// A record's `resource_type` as each vocabulary names it.
struct ResourceType {
    /// DataCite 4.5's `resourceTypeGeneral`.
    var dataCite: String
    /// schema.org's type.
    var schemaOrg: String
    /// CSL's item type.
    var csl: String
    /// The Dublin Core Metadata Initiative's type vocabulary.
    var dcmi: String

    init(_ value: String?) {
        switch value {
        case "dataset": self.init("Dataset", "Dataset", "dataset", "Dataset")
        case "software": self.init("Software", "SoftwareSourceCode", "software", "Software")
        case "publication": self.init("Text", "ScholarlyArticle", "article", "Text")
        case "poster": self.init("Text", "Poster", "graphic", "Text")
        case "presentation": self.init("Text", "PresentationDigitalDocument", "speech", "Text")
        case "image": self.init("Image", "ImageObject", "graphic", "StillImage")
        case "video": self.init("Audiovisual", "VideoObject", "motion_picture", "MovingImage")
        case "audio": self.init("Sound", "AudioObject", "song", "Sound")
        case "workflow": self.init("Workflow", "HowTo", "software", "Software")
        case "physicalobject": self.init("PhysicalObject", "Thing", "document", "PhysicalObject")
        default: self.init("Other", "CreativeWork", "document", "Text")
        }
    }

    init(_ dataCite: String, _ schemaOrg: String, _ csl: String, _ dcmi: String) {
        self.dataCite = dataCite
        self.schemaOrg = schemaOrg
        self.csl = csl
        self.dcmi = dcmi
    }
}
