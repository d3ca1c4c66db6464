namespace ModelGen.Generator.Planning
{
    /// <summary>The constant offsets of one layer's data in the model's buffers.</summary>
    internal sealed class LayerSlots
    {
        public int InputOffset { get; set; }

        public int OutputOffset { get; set; }

        public int WeightOffset { get; set; }

        public int BiasOffset { get; set; }

        public int MaskOffset { get; set; }

        public int IndexOffset { get; set; }

        public int StatisticsOffset { get; set; }

        public int StateOffset { get; set; }

        public int SkipOffset { get; set; }

        /// <summary>False for layers with no trainable layer before them: their input gradient is never used.</summary>
        public bool NeedsInputGradient { get; set; }
    }
}
