using System;
using System.Collections.Generic;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Planning
{
    /// <summary>
    /// Where every layer's data lives: constant offsets into one parameter buffer (twinned by the gradient
    /// buffer), one non-trainable state buffer, one activation buffer, and small per-layer scratch buffers
    /// (dropout masks, pooling arg-max indices, normalization statistics, residual skip gradients), each
    /// sized once for the maximum batch.
    /// </summary>
    internal sealed class MemoryPlan
    {
        private readonly List<LayerSlots> _slots = new();

        private MemoryPlan(ModelSpec model)
        {
            var batch = model.MaxBatchSize;
            InputOffset = 0;
            var activations = (int)LineUp(batch * model.InputShape.Capacity);
            int parameters = 0, state = 0, masks = 0, indices = 0, statistics = 0, skips = 0;
            var largest = model.InputShape.Capacity;
            var anyParametersBefore = false;
            var inputOffset = InputOffset;
            foreach (var layer in model.Layers)
            {
                var size = layer.OutputShape.Capacity;
                var slots = new LayerSlots { InputOffset = inputOffset, NeedsInputGradient = anyParametersBefore };
                if (layer is FlattenSpec or ResidualSpec)
                {
                    // A reinterpretation (or a marker) on the same memory.
                    slots.OutputOffset = inputOffset;
                }
                else
                {
                    slots.OutputOffset = activations;
                    activations = (int)LineUp(activations + (long)batch * size);
                }

                switch (layer)
                {
                    case EmbeddingSpec or RecurrentSpec:
                        slots.WeightOffset = parameters;
                        break;
                    case DenseSpec or Conv2DSpec:
                        slots.WeightOffset = parameters;
                        slots.BiasOffset = parameters + layer.ParameterCount - layer.OutputShape.Dimensions[0];
                        break;
                    case NormalizationSpec norm:
                        slots.WeightOffset = parameters;
                        slots.BiasOffset = parameters + norm.Channels;
                        slots.StatisticsOffset = statistics;
                        statistics += 2 * (norm.IsBatch ? norm.Channels : batch * System.Math.Max(norm.InputShape.Steps, 1));
                        slots.StateOffset = state;
                        break;
                    case DropoutSpec:
                        slots.MaskOffset = masks;
                        masks += batch * size;
                        break;
                    case PoolSpec { IsMax: true }:
                        slots.IndexOffset = indices;
                        indices += batch * size;
                        break;
                    case ResidualEndSpec:
                        slots.SkipOffset = skips;
                        skips += batch * size;
                        break;
                }

                parameters += layer.ParameterCount;
                state += layer.StateCount;
                // The decoder's input is data: no gradient flows into it (the encoder gets the decoder's state gradient instead).
                anyParametersBefore = layer is not DecoderSpec && (anyParametersBefore || layer.ParameterCount > 0);
                largest = Math.Max(largest, size);
                _slots.Add(slots);
                inputOffset = slots.OutputOffset;
            }

            ParameterCount = parameters;
            StateLength = state;
            ActivationLength = activations;
            MaskLength = masks;
            IndexLength = indices;
            StatisticsLength = statistics;
            SkipLength = skips;
            DeltaLength = batch * largest;
            OutputOffset = inputOffset;
        }

        /// <summary>Floats in a 64-byte cache line: every layer's output starts on one (the activation buffer is aligned).</summary>
        internal const int LineFloats = 16;

        /// <summary><paramref name="floats"/> rounded up to whole cache lines.</summary>
        internal static long LineUp(long floats) => (floats + LineFloats - 1) / LineFloats * LineFloats;

        public int InputOffset { get; }

        /// <summary>Where the last layer's output lives in the activation buffer.</summary>
        public int OutputOffset { get; }

        public int ParameterCount { get; }

        /// <summary>Non-trainable state (batch-norm running statistics).</summary>
        public int StateLength { get; }

        public int ActivationLength { get; }

        public int MaskLength { get; }

        public int IndexLength { get; }

        public int StatisticsLength { get; }

        public int SkipLength { get; }

        /// <summary>Length of each of the two ping-pong buffers that carry gradients back through the layers.</summary>
        public int DeltaLength { get; }

        public static MemoryPlan Create(ModelSpec model) => new(model);

        /// <summary>The slots of the layer at <paramref name="index"/> in the stack.</summary>
        public LayerSlots this[int index] => _slots[index];
    }
}
