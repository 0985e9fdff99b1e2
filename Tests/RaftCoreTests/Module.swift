// RaftCoreTests: tests arrive with the code they test.
