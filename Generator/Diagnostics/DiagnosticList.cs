using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace ModelGen.Generator.Diagnostics
{
    /// <summary>
    /// A model's diagnostics with value equality (Roslyn's Diagnostic compares descriptor, location and
    /// arguments), so an unchanged model's diagnostics step reports Unchanged too.
    /// </summary>
    internal sealed class DiagnosticList : IEquatable<DiagnosticList>, IEnumerable<Diagnostic>
    {
        private readonly ImmutableArray<Diagnostic> _items;

        public DiagnosticList(ImmutableArray<Diagnostic> items) => _items = items;

        public bool Equals(DiagnosticList? other) => other is not null && _items.SequenceEqual(other._items);

        public override bool Equals(object? obj) => Equals(obj as DiagnosticList);

        public override int GetHashCode() => _items.Length;

        public IEnumerator<Diagnostic> GetEnumerator() => ((IEnumerable<Diagnostic>)_items).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
