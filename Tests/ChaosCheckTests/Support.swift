import ChaosCheck

/// Builds register operations tersely: times in milliseconds become nanoseconds.
func op(
  _ process: Int, _ input: RegisterInput, _ outcome: Outcome<RegisterOutput>, _ invokeMs: UInt64,
  _ completeMs: UInt64,
  key: String = "k", zxid: Int64? = nil
) -> RegisterOperation {
  RegisterOperation(
    process: ProcessID(process), key: key, input: input, outcome: outcome, invokeNs: invokeMs * 1_000_000,
    completeNs: completeMs * 1_000_000, zxid: zxid)
}

let zero = RegisterState(value: 0, version: 0)

func verdict(_ operations: [RegisterOperation], initial: RegisterState = zero)
  -> LinearizabilityChecker.Verdict
{
  LinearizabilityChecker().check(operations, initial: initial).verdict
}
