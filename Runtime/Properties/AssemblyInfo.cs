using System.Runtime.CompilerServices;

// The kernel tests call the internal per-width kernel entry points (AVX-512, AVX2, scalar) directly, so every
// path is checked against a naive reference on any machine that can run it, not only the widest one it has.
[assembly: InternalsVisibleTo("ModelGen.Generator.Tests")]
