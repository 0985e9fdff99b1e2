import Foundation

/// Curator x-discovery's URI template: literal parts and `{variable}` parts, serialized as
/// `{"parts":[{"value":"scheme","variable":true},{"value":"://","variable":false},...]}`.
public struct UriSpec: Hashable, Sendable, Codable {
  /// One part of the template.
  public struct Part: Hashable, Sendable, Codable {
    /// The literal text, or the variable's name.
    public var value: String
    /// Whether `value` names a variable.
    public var variable: Bool
  }
  /// The parts, in order.
  public var parts: [Part]

  /// Parses a template such as `"{scheme}://{address}:{port}"`, as Curator's `UriSpec(String)`.
  public init(_ template: String) {
    var parts: [Part] = []
    var literal = ""
    var rest = Substring(template)
    while let c = rest.popFirst() {
      if c == "{", let close = rest.firstIndex(of: "}") {
        if !literal.isEmpty { parts.append(Part(value: literal, variable: false)) }
        literal = ""
        parts.append(Part(value: String(rest[..<close]), variable: true))
        rest = rest[rest.index(after: close)...]
      } else {
        literal.append(c)
      }
    }
    if !literal.isEmpty { parts.append(Part(value: literal, variable: false)) }
    self.parts = parts
  }
}

/// How an instance lives in the registry (Curator's `ServiceType`).
public enum ServiceType: String, Hashable, Sendable, Codable {
  /// An ephemeral node: gone when the registering session ends.
  case dynamic = "DYNAMIC"
  /// A persistent node registered by hand.
  case `static` = "STATIC"
  /// A persistent node that survives its registrant.
  case permanent = "PERMANENT"
  /// Sequential ephemeral registration (Curator's DYNAMIC_SEQUENTIAL).
  case dynamicSequential = "DYNAMIC_SEQUENTIAL"
}

/// One instance of a service, in the JSON layout of Curator's x-discovery `ServiceInstance`
/// (`JsonInstanceSerializer`), so Java services registered with Curator and Swift services
/// registered with `ServiceDiscovery` see each other:
///
/// `{"name":"svc","id":"j1","address":"10.0.0.7","port":8080,"sslPort":null,"payload":"...",
/// "registrationTimeUTC":1796073069125,"serviceType":"DYNAMIC","uriSpec":{"parts":[...]}}`
///
/// `Payload` is whatever JSON value the services agree on (Curator's `ServiceInstance<T>`);
/// use `String` for Curator's `ServiceDiscoveryBuilder.builder(String.class)`.
public struct ServiceInstance<Payload: Codable & Hashable & Sendable>: Hashable, Sendable, Codable {
  /// The service's name: the registry node under the base path.
  public var name: String
  /// This instance's id: its node's name.
  public var id: String
  /// Host name or address clients connect to.
  public var address: String?
  /// Plain port.
  public var port: Int?
  /// TLS port.
  public var sslPort: Int?
  /// Application data.
  public var payload: Payload?
  /// Registration time, ms since the epoch (UTC).
  public var registrationTimeUTC: Int64
  /// How the instance lives in the registry.
  public var serviceType: ServiceType
  /// How to build the instance's URI.
  public var uriSpec: UriSpec?

  /// An instance; `id` defaults to a random UUID and the time to now, as Curator's builder.
  public init(
    name: String, id: String = UUID().uuidString.lowercased(), address: String?, port: Int?, sslPort: Int? = nil,
    payload: Payload? = nil, serviceType: ServiceType = .dynamic, uriSpec: UriSpec? = nil,
    registrationTimeUTC: Int64 = Int64(Date().timeIntervalSince1970 * 1000)
  ) {
    self.name = name
    self.id = id
    self.address = address
    self.port = port
    self.sslPort = sslPort
    self.payload = payload
    self.registrationTimeUTC = registrationTimeUTC
    self.serviceType = serviceType
    self.uriSpec = uriSpec
  }

  enum CodingKeys: String, CodingKey {
    case name, id, address, port, sslPort, payload, registrationTimeUTC, serviceType, uriSpec
  }

  /// Writes every field, nulls included, as Jackson does for Curator.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(id, forKey: .id)
    try c.encode(address, forKey: .address)
    try c.encode(port, forKey: .port)
    try c.encode(sslPort, forKey: .sslPort)
    try c.encode(payload, forKey: .payload)
    try c.encode(registrationTimeUTC, forKey: .registrationTimeUTC)
    try c.encode(serviceType, forKey: .serviceType)
    try c.encode(uriSpec, forKey: .uriSpec)
  }

  /// Reads the fields; missing optional fields are nil (Curator's newer `enabled` is ignored).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    id = try c.decode(String.self, forKey: .id)
    address = try c.decodeIfPresent(String.self, forKey: .address)
    port = try c.decodeIfPresent(Int.self, forKey: .port)
    sslPort = try c.decodeIfPresent(Int.self, forKey: .sslPort)
    payload = try c.decodeIfPresent(Payload.self, forKey: .payload)
    registrationTimeUTC = try c.decodeIfPresent(Int64.self, forKey: .registrationTimeUTC) ?? 0
    serviceType = try c.decodeIfPresent(ServiceType.self, forKey: .serviceType) ?? .dynamic
    uriSpec = try c.decodeIfPresent(UriSpec.self, forKey: .uriSpec)
  }
}
