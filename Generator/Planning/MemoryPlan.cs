using System;
using System.Collections.Generic;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Planning
{
    /// <summary>
    /// Where every layer's data lives: constant offsets into one parameter buffer (twinned by the
    /// gradient buffer), one activation buffer and one dropout-mask buffer, each sized once for the
    /// maximum batch. Activation offsets are per example times <see cref="ModelSpec.MaxBatchSize"/>.
    /// </summary>
    internal sealed class MemoryPlan
    {
        private readonly List<LayerSlots> _slots = new();

        private MemoryPlan(ModelSpec model)
        {
            var batch = model.MaxBatchSize;
            var activationOffset = 0;
            InputOffset = 0;
            activationOffset += batch * model.InputShape.Size;

            var inputOffset = InputOffset;
            var parameterOffset = 0;
            var maskOffset = 0;
            var largest = model.InputShape.Size;
            var anyParametersBefore = false;
            foreach (var layer in model.Layers)
            {
                var slots = new LayerSlots { InputOffset = inputOffset, NeedsInputGradient = anyParametersBefore };
                if (layer is FlattenSpec)
                {
                    // A flatten is a reinterpretation of the same memory.
                    slots.OutputOffset = inputOffset;
                }
                else
                {
                    slots.OutputOffset = activationOffset;
                    activationOffset += batch * layer.OutputShape.Size;
                }

                if (layer is DenseSpec dense)
                {
                    slots.WeightOffset = parameterOffset;
                    slots.BiasOffset = parameterOffset + dense.WeightCount;
                    parameterOffset += dense.ParameterCount;
                    anyParametersBefore = true;
                }

                if (layer is DropoutSpec)
                {
                    slots.MaskOffset = maskOffset;
                    maskOffset += batch * layer.OutputShape.Size;
                }

                largest = Math.Max(largest, layer.OutputShape.Size);
                _slots.Add(slots);
                inputOffset = slots.OutputOffset;
            }

            ParameterCount = parameterOffset;
            ActivationLength = activationOffset;
            MaskLength = maskOffset;
            DeltaLength = batch * largest;
            OutputOffset = inputOffset;
        }

        public int InputOffset { get; }

        /// <summary>Where the last layer's output lives in the activation buffer.</summary>
        public int OutputOffset { get; }

        public int ParameterCount { get; }

        public int ActivationLength { get; }

        public int MaskLength { get; }

        /// <summary>Length of each of the two ping-pong buffers that carry gradients back through the layers.</summary>
        public int DeltaLength { get; }

        public static MemoryPlan Create(ModelSpec model) => new(model);

        /// <summary>The slots of the layer at <paramref name="index"/> in the stack.</summary>
        public LayerSlots this[int index] => _slots[index];
    }

    internal sealed class LayerSlots
    {
        public int InputOffset { get; set; }

        public int OutputOffset { get; set; }

        public int WeightOffset { get; set; }

        public int BiasOffset { get; set; }

        public int MaskOffset { get; set; }

        /// <summary>False for layers with no trainable layer before them: their input gradient is never used.</summary>
        public bool NeedsInputGradient { get; set; }
    }
}
