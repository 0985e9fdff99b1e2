/// A path compared and hashed by its UTF-8 bytes.
///
/// Swift's `String` equality is Unicode canonical equivalence ("é" precomposed equals "e" plus a
/// combining accent); ZooKeeper's Java strings compare code units, so those are two different
/// znodes there. Keying the tree by bytes keeps them apart, as ZooKeeper does, and hashing bytes
/// is also cheaper than hashing a normalized string.
struct PathKey: Hashable, Sendable {
  var string: String

  init(_ string: String) { self.string = string }

  static func == (a: PathKey, b: PathKey) -> Bool {
    !PathRules.precedes(a.string, b.string) && !PathRules.precedes(b.string, a.string)
  }

  func hash(into hasher: inout Hasher) {
    let hashed: Void? = string.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    if hashed == nil {
      Array(string.utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
    }
  }
}

/// A set of paths or child names compared by bytes, used with `String`s.
struct PathSet: Sendable, Equatable, Sequence, ExpressibleByArrayLiteral {
  private var storage: Set<PathKey> = []

  init(arrayLiteral elements: String...) {
    storage = Set(elements.map(PathKey.init))
  }

  @discardableResult
  mutating func insert(_ path: String) -> Bool { storage.insert(PathKey(path)).inserted }

  @discardableResult
  mutating func remove(_ path: String) -> Bool { storage.remove(PathKey(path)) != nil }

  func contains(_ path: String) -> Bool { storage.contains(PathKey(path)) }

  var count: Int { storage.count }
  var isEmpty: Bool { storage.isEmpty }

  func makeIterator() -> some IteratorProtocol<String> {
    storage.lazy.map(\.string).makeIterator()
  }
}
