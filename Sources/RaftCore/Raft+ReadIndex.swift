/// Linearizable reads by ReadIndex (Raft dissertation §6.4): the leader records its commit index
/// when a request arrives, confirms it still leads by a heartbeat round acknowledged by a
/// majority, and only then hands out the index. A leader that has not yet committed an entry of
/// its term holds requests back, since its commit index may lag the cluster's.
extension Raft {
  /// A read requested on this node (leader or follower).
  mutating func requestReadIndex(context: [UInt8]) -> Result<Void, RaftError> {
    if role == .leader {
      handleReadIndex(context: context, from: id)
      return .success(())
    }
    guard lead != .none else { return .failure(.notLeader(leader: .none)) }
    send(Message(kind: .readIndex, from: id, to: lead, context: context))
    return .success(())
  }

  /// Leader: a read from `from` (itself or a follower).
  mutating func handleReadIndex(context: [UInt8], from: NodeID) {
    guard committedInCurrentTerm else {
      pendingReadIndex.append((context, from))
      return
    }
    if tracker.voters == [id] {
      answerRead(ReadOnly.Request(context: context, index: log.committed, from: from, acks: []))
      return
    }
    guard !readOnly.contains(context) else { return }
    readOnly.add(context: context, index: log.committed, from: from, me: id)
    broadcastHeartbeat(context: context)
  }

  mutating func releasePendingReadIndex() {
    let pending = pendingReadIndex
    pendingReadIndex = []
    for request in pending { handleReadIndex(context: request.context, from: request.from) }
  }

  /// Leader: a follower acknowledged the heartbeat round tagged `context`.
  mutating func readIndexAcknowledged(_ context: [UInt8], from: NodeID) {
    guard let acks = readOnly.recordAck(context, from: from) else { return }
    let voterAcks = tracker.voters.filter { acks.contains($0) }.count
    guard voterAcks >= tracker.quorum else { return }
    for request in readOnly.release(through: context) { answerRead(request) }
  }

  private mutating func answerRead(_ request: ReadOnly.Request) {
    if request.from == id {
      readStates.append(ReadState(index: request.index, context: request.context))
    } else {
      send(Message(kind: .readIndexResponse, from: id, to: request.from, index: request.index, context: request.context))
    }
  }
}
