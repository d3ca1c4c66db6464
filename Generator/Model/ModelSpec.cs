namespace ModelGen.Generator.Model
{
    /// <summary>
    /// Everything the emitter needs to write one model, as plain values: no symbols, no syntax, so the
    /// incremental pipeline can compare two specs and skip emission when nothing changed.
    /// </summary>
    internal sealed record ModelSpec(
        string Namespace,
        string ClassName,
        LossKind Loss,
        int MaxBatchSize,
        Shape InputShape,
        EquatableArray<LayerSpec> Layers)
    {
        public LayerSpec OutputLayer => Layers[Layers.Count - 1];
    }
}
