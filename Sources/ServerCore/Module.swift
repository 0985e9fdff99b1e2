// The ServerCore target: see DESIGN.md for what it owns. Its code arrives in the issue that builds it.
