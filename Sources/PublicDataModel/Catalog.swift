/// The sharing attribute of a catalog entry (共享属性).
public enum SharingAttribute: String, Codable, Sendable, CaseIterable, Hashable {
    /// 无条件共享.
    case unconditional
    /// 有条件共享: co-review by the industry department and privacy-computing delivery (Art. 16).
    case conditional
    /// 不予共享: never supplied.
    case notShared = "not_shared"
}

/// The open attribute of a catalog entry (开放属性).
public enum OpenAttribute: String, Codable, Sendable, CaseIterable, Hashable {
    /// 无条件开放.
    case open
    /// 有条件开放.
    case conditionallyOpen = "conditionally_open"
    /// 不予开放.
    case notOpen = "not_open"
}

/// The security grade of data (数据分级: 一般 / 重要 / 核心).
public enum DataGrade: String, Codable, Sendable, CaseIterable, Hashable, Comparable {
    /// 一般数据.
    case general
    /// 重要数据.
    case important
    /// 核心数据.
    case core

    private var rank: Int {
        switch self {
        case .general: 0
        case .important: 1
        case .core: 2
        }
    }

    /// Orders grades from general (least protected) to core (most protected).
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// Where a catalog entry's data comes from (Art. 19).
public enum DataSource: String, Codable, Sendable, CaseIterable, Hashable {
    /// Data collected by a department of this city.
    case local
    /// Data returned by a national ministry (国家部委回流数据); needs its provider's consent (Art. 19).
    case nationalMinistry = "national_ministry"
    /// Data from another region; needs its provider's consent (Art. 19).
    case otherRegion = "other_region"
}

/// One field (data item) of a catalog entry, for minimal-authorization checks.
public struct CatalogField: Codable, Sendable, Hashable {
    /// The field's machine name, unique within its entry.
    public var name: String
    /// Whether the field itself holds personal information.
    public var personalInformation: Bool

    /// Creates a field.
    public init(name: String, personalInformation: Bool = false) {
        self.name = name
        self.personalInformation = personalInformation
    }
}

/// One public data resource in the catalog (公共数据资源目录).
public struct CatalogEntry: Codable, Sendable, Hashable, Identifiable {
    /// The entry's identifier.
    public var id: CatalogEntryID
    /// The resource's name.
    public var name: String
    /// The industry department that owns and supplies the entry (Art. 8).
    public var owningDepartment: PartyID
    /// 共享属性.
    public var sharing: SharingAttribute
    /// 开放属性.
    public var openness: OpenAttribute
    /// 数据分级.
    public var grade: DataGrade
    /// Whether the entry holds personal information (Art. 26).
    public var containsPersonalInformation: Bool
    /// Whether the entry holds sensitive personal information.
    public var containsSensitivePersonalInformation: Bool
    /// The entry's fields.
    public var fields: [CatalogField]
    /// Where the data comes from (Art. 19).
    public var source: DataSource
    /// The registration code (登记编号) issued under Art. 9, once registered.
    public var registrationCode: String?

    /// Creates a catalog entry.
    public init(
        id: CatalogEntryID,
        name: String,
        owningDepartment: PartyID,
        sharing: SharingAttribute,
        openness: OpenAttribute,
        grade: DataGrade,
        containsPersonalInformation: Bool = false,
        containsSensitivePersonalInformation: Bool = false,
        fields: [CatalogField] = [],
        source: DataSource = .local,
        registrationCode: String? = nil
    ) {
        self.id = id
        self.name = name
        self.owningDepartment = owningDepartment
        self.sharing = sharing
        self.openness = openness
        self.grade = grade
        self.containsPersonalInformation = containsPersonalInformation
        self.containsSensitivePersonalInformation = containsSensitivePersonalInformation
        self.fields = fields
        self.source = source
        self.registrationCode = registrationCode
    }

    /// The names of all fields.
    public var fieldNames: Set<String> { Set(fields.map(\.name)) }
}
