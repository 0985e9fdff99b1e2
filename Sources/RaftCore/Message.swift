/// The kinds of message Raft nodes exchange (Raft figure 2, plus pre-vote §9.6, ReadIndex §6.4,
/// leadership transfer §3.10 and chunked InstallSnapshot §7).
public enum MessageKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
  /// Append entries (also carries the commit index). `index`/`logTerm` name the entry before.
  case append = 0
  /// Reply to `append` or to a finished snapshot: `index` is the follower's matching last index,
  /// or on `reject` the rejected `index` plus a hint (`rejectHint`, `logTerm`).
  case appendResponse = 1
  /// A vote request for `term`; `index`/`logTerm` describe the candidate's last entry.
  case vote = 2
  case voteResponse = 3
  /// A pre-vote (§9.6): same fields as `vote`, for `term` the candidate would use; changes nothing.
  case preVote = 4
  case preVoteResponse = 5
  /// The leader's heartbeat; `commit` is capped at the follower's match; `context` tags ReadIndex rounds.
  case heartbeat = 6
  case heartbeatResponse = 7
  /// One chunk of InstallSnapshot: `snapshot` is the metadata, `chunk` the bytes at `snapshotOffset`.
  case snapshot = 8
  /// Acknowledges snapshot chunks: `snapshotOffset` is how many bytes the follower holds.
  case snapshotResponse = 9
  /// A follower forwards a ReadIndex request (`context`) to the leader.
  case readIndex = 10
  /// The leader answers a forwarded ReadIndex: read once `index` is applied.
  case readIndexResponse = 11
  /// Leadership transfer: the target should campaign at once.
  case timeoutNow = 12

  public var description: String {
    switch self {
    case .append: "MsgApp"
    case .appendResponse: "MsgAppResp"
    case .vote: "MsgVote"
    case .voteResponse: "MsgVoteResp"
    case .preVote: "MsgPreVote"
    case .preVoteResponse: "MsgPreVoteResp"
    case .heartbeat: "MsgHeartbeat"
    case .heartbeatResponse: "MsgHeartbeatResp"
    case .snapshot: "MsgSnap"
    case .snapshotResponse: "MsgSnapResp"
    case .readIndex: "MsgReadIndex"
    case .readIndexResponse: "MsgReadIndexResp"
    case .timeoutNow: "MsgTimeoutNow"
    }
  }

  /// Responses a node sends about its own vote or log; they must wait until the state they
  /// describe is durable.
  var isResponse: Bool {
    switch self {
    case .appendResponse, .voteResponse, .preVoteResponse, .heartbeatResponse, .snapshotResponse,
      .readIndexResponse:
      true
    default: false
    }
  }
}

/// One message between Raft nodes. Fields not used by a kind stay at their defaults.
public struct Message: Hashable, Sendable, CustomStringConvertible {
  /// What the message asks or answers.
  public var kind: MessageKind
  /// The sender.
  public var from: NodeID
  /// The recipient; `RawNode.step` refuses a message addressed elsewhere.
  public var to: NodeID
  /// The sender's term (for votes and pre-votes: the term campaigned for).
  public var term: Term
  /// For `append`: the term of the entry at `index`. For votes: the candidate's last log term.
  /// For a rejected `appendResponse`: the term of the follower's entry at `rejectHint`.
  public var logTerm: Term
  /// For `append`: the index before `entries`. For votes: the candidate's last index. For
  /// `appendResponse`: the matching last index, or the rejected index. For snapshot
  /// acknowledgements: the snapshot's index. For `readIndexResponse`: the read index.
  public var index: LogIndex
  /// For `append`: the entries, contiguous from `index + 1`.
  public var entries: [Entry]
  /// The leader's commit index (for heartbeats, capped at the follower's match).
  public var commit: LogIndex
  /// The request was refused (vote not granted, append did not match, chunk out of order).
  public var reject: Bool
  /// For a rejected `appendResponse`: the follower's last index that could match (with its term
  /// in `logTerm`), so the leader skips a whole term of mismatches per round trip.
  public var rejectHint: LogIndex
  /// ReadIndex request tag, or `Message.campaignTransfer` on a vote forced by leadership transfer.
  public var context: [UInt8]
  /// For `snapshot`: which snapshot the chunk belongs to.
  public var snapshot: SnapshotMetadata?
  /// For `snapshot`: where `chunk` starts. For `snapshotResponse`: how many bytes the follower holds.
  public var snapshotOffset: UInt64
  /// For `snapshot`: the bytes at `snapshotOffset`.
  public var chunk: [UInt8]
  /// For `snapshot`: this chunk is the last.
  public var snapshotDone: Bool

  /// A message; unused fields keep their defaults.
  public init(
    kind: MessageKind, from: NodeID, to: NodeID, term: Term = .zero, logTerm: Term = .zero,
    index: LogIndex = .zero, entries: [Entry] = [], commit: LogIndex = .zero, reject: Bool = false,
    rejectHint: LogIndex = .zero, context: [UInt8] = [], snapshot: SnapshotMetadata? = nil,
    snapshotOffset: UInt64 = 0, chunk: [UInt8] = [], snapshotDone: Bool = false
  ) {
    self.kind = kind
    self.from = from
    self.to = to
    self.term = term
    self.logTerm = logTerm
    self.index = index
    self.entries = entries
    self.commit = commit
    self.reject = reject
    self.rejectHint = rejectHint
    self.context = context
    self.snapshot = snapshot
    self.snapshotOffset = snapshotOffset
    self.chunk = chunk
    self.snapshotDone = snapshotDone
  }

  /// The `context` of a vote that leadership transfer forces past the voters' leader lease.
  public static let campaignTransfer: [UInt8] = Array("CampaignTransfer".utf8)

  /// Approximate encoded size, for size bounds.
  public var sizeBytes: Int {
    64 + context.count + chunk.count + entries.reduce(0) { $0 + $1.sizeBytes }
  }

  /// A one-line rendering for traces and golden scenarios.
  public var description: String {
    var s = "\(from)->\(to) \(kind) Term:\(term)"
    switch kind {
    case .append:
      s += " Log:\(logTerm)/\(index) Commit:\(commit)"
      if !entries.isEmpty {
        s += " Entries:[" + entries.map { "\($0.term)/\($0.index)" + ($0.kind == .confChange ? " conf" : $0.data.isEmpty ? " noop" : "") }.joined(separator: ", ") + "]"
      }
    case .appendResponse:
      s += reject ? " Rejected (Hint: \(rejectHint)/\(logTerm)) Index:\(index)" : " Index:\(index)"
    case .vote, .preVote:
      s += " Log:\(logTerm)/\(index)" + (context == Message.campaignTransfer ? " transfer" : "")
    case .voteResponse, .preVoteResponse:
      s += reject ? " Rejected" : " Granted"
    case .heartbeat:
      s += " Commit:\(commit)" + (context.isEmpty ? "" : " ctx:\(context.count)b")
    case .heartbeatResponse:
      s += context.isEmpty ? "" : " ctx:\(context.count)b"
    case .snapshot:
      if let m = snapshot { s += " Snapshot:\(m.term)/\(m.index)" }
      s += " Offset:\(snapshotOffset) Bytes:\(chunk.count)" + (snapshotDone ? " done" : "")
    case .snapshotResponse:
      s += " Offset:\(snapshotOffset)" + (reject ? " Rejected" : "")
    case .readIndex:
      s += " ctx:\(context.count)b"
    case .readIndexResponse:
      s += " Index:\(index)"
    case .timeoutNow:
      break
    }
    return s
  }
}
