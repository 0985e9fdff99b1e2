import Foundation
import ZooKeeperWire

/// Service registration and discovery in Curator x-discovery's layout: each instance is a node
/// `basePath/serviceName/instanceId` holding `ServiceInstance` JSON; dynamic instances are
/// ephemeral, so they disappear when their session ends.
///
/// ```swift
/// let discovery = ServiceDiscovery<String>(client: client, basePath: "/services")
/// try await discovery.register(ServiceInstance(name: "api", address: "10.0.0.5", port: 8080))
/// for try await instances in try await discovery.watchInstances(of: "api") { ... }
/// ```
public struct ServiceDiscovery<Payload: Codable & Hashable & Sendable>: Sendable {
  /// The session registrations live in.
  public let client: GroveClient
  /// The registry's root, e.g. "/services".
  public let basePath: String

  /// A registry rooted at `basePath`.
  public init(client: GroveClient, basePath: String) {
    self.client = client
    self.basePath = basePath
  }

  /// The node of an instance.
  public func path(of name: String, id: String) -> String { "\(basePath)/\(name)/\(id)" }

  /// Registers (or re-registers, replacing) `instance`: ephemeral for dynamic instances, as
  /// Curator; parents are created as needed.
  public func register(_ instance: ServiceInstance<Payload>) async throws(ZooKeeperError) {
    let data = try encode(instance)
    let node = path(of: instance.name, id: instance.id)
    let mode: CreateMode
    switch instance.serviceType {
    case .dynamic: mode = .ephemeral
    case .dynamicSequential: mode = .ephemeralSequential
    case .static, .permanent: mode = .persistent
    }
    try await client.createRecursively("\(basePath)/\(instance.name)")
    do throws(ZooKeeperError) {
      try await client.create(node, data: data, mode: mode)
    } catch {
      guard case .server(.nodeExists, _) = error else { throw error }
      // As Curator: an existing registration is replaced.
      try await client.delete(node)
      try await client.create(node, data: data, mode: mode)
    }
  }

  /// Updates a registered instance's data.
  public func update(_ instance: ServiceInstance<Payload>) async throws(ZooKeeperError) {
    try await client.setData(path(of: instance.name, id: instance.id), data: try encode(instance))
  }

  /// Removes an instance's registration (absent is fine).
  public func unregister(name: String, id: String) async throws(ZooKeeperError) {
    do throws(ZooKeeperError) {
      try await client.delete(path(of: name, id: id))
    } catch {
      if case .server(.noNode, _) = error { return }
      throw error
    }
  }

  /// The service names registered under the base path, sorted.
  public func serviceNames() async throws(ZooKeeperError) -> [String] {
    do throws(ZooKeeperError) {
      return try await client.getChildren(basePath).children
    } catch {
      if case .server(.noNode, _) = error { return [] }
      throw error
    }
  }

  /// The instances of `name`, sorted by id; nodes that vanish or do not parse are skipped.
  public func instances(of name: String) async throws(ZooKeeperError) -> [ServiceInstance<Payload>] {
    let ids: [String]
    do throws(ZooKeeperError) {
      ids = try await client.getChildren("\(basePath)/\(name)").children
    } catch {
      if case .server(.noNode, _) = error { return [] }
      throw error
    }
    var found: [ServiceInstance<Payload>] = []
    for id in ids {
      guard let node = try? await client.getData(path(of: name, id: id)) else { continue }
      if let instance = try? JSONDecoder().decode(ServiceInstance<Payload>.self, from: Data(node.data)) {
        found.append(instance)
      }
    }
    return found.sorted { $0.id < $1.id }
  }

  /// The instances of `name` now and after every change (registration, removal, update,
  /// session expiry of a registrant), kept by a `TreeCache` on the service's node.
  /// The sequence ends when `stop` is called on the returned cache or the session ends.
  public func watchInstances(of name: String) async throws(ZooKeeperError) -> (instances: AsyncStream<[ServiceInstance<Payload>]>, cache: TreeCache) {
    let servicePath = "\(basePath)/\(name)"
    let cache = try await TreeCache.start(client: client, path: servicePath)
    let prefix = servicePath + "/"
    let snapshots = cache.snapshots()
    let (stream, continuation) = AsyncStream.makeStream(of: [ServiceInstance<Payload>].self, bufferingPolicy: .bufferingNewest(1))
    let task = Task {
      var last: [ServiceInstance<Payload>]?
      for await nodes in snapshots {
        let instances = nodes.filter { $0.key.hasPrefix(prefix) && !$0.key.dropFirst(prefix.count).contains("/") }
          .compactMap { try? JSONDecoder().decode(ServiceInstance<Payload>.self, from: Data($0.value.data)) }
          .sorted { $0.id < $1.id }
        if instances != last {
          continuation.yield(instances)
          last = instances
        }
      }
      continuation.finish()
    }
    continuation.onTermination = { _ in task.cancel() }
    return (stream, cache)
  }

  private func encode(_ instance: ServiceInstance<Payload>) throws(ZooKeeperError) -> [UInt8] {
    do {
      return Array(try JSONEncoder().encode(instance))
    } catch {
      throw .invalidArgument("cannot encode the service instance: \(error)")
    }
  }
}
