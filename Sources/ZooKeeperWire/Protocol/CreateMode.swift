/// The `flags` of a create request (`CreateMode`); any other value is `badArguments`.
public enum CreateMode: Int32, Sendable, CaseIterable {
  case persistent = 0
  case ephemeral = 1
  case persistentSequential = 2
  case ephemeralSequential = 3
  case container = 4
  case persistentWithTTL = 5
  case persistentSequentialWithTTL = 6

  public var isEphemeral: Bool { self == .ephemeral || self == .ephemeralSequential }
  public var isSequential: Bool {
    self == .persistentSequential || self == .ephemeralSequential
      || self == .persistentSequentialWithTTL
  }
  public var isContainer: Bool { self == .container }
  public var isTTL: Bool { self == .persistentWithTTL || self == .persistentSequentialWithTTL }
}
