using System.Globalization;
using ModelGen.Generator.Model;
using ModelGen.Generator.Planning;

namespace ModelGen.Generator.Emit
{
    /// <summary>What a layer emitter knows about its layer's place in the model: slots, neighbours, buffers.</summary>
    internal sealed class LayerContext
    {
        public LayerContext(ModelSpec model, MemoryPlan plan, int index)
        {
            Model = model;
            Plan = plan;
            Index = index;
            Layer = model.Layers[index];
            Slots = plan[index];
            IsLast = index == model.Layers.Count - 1;
        }

        public MemoryPlan Plan { get; }

        /// <summary>The layer's entries in the model's tensor table (saved-file names), filled while its members are emitted.</summary>
        public System.Collections.Generic.List<string> Tensors { get; } = new();

        /// <summary>The layer's position in the stack.</summary>
        public int Index { get; }

        public ModelSpec Model { get; }

        public LayerSpec Layer { get; }

        public LayerSlots Slots { get; }

        public bool IsLast { get; }

        /// <summary>Where a predictor keeps this layer's packed weights (a batch-1 dense layer), or -1.</summary>
        public int PackedOffset { get; set; } = -1;

        /// <summary>
        /// A predictor's flag (field name) for a ReLU convolution + max pooling whose output feeds a flatten and a packed
        /// dense layer: set, the convolution writes its pooled outputs pixel-major at batch 1 and the dense weights are
        /// packed in that order. On both the convolution's and the dense layer's context; null elsewhere.
        /// </summary>
        public string? PixelMajorFlag { get; set; }

        /// <summary>The delta buffer holding the gradient w.r.t. this layer's output during backward.</summary>
        public string Delta { get; set; } = "_deltaA";

        /// <summary>The other ping-pong delta buffer, free for this layer's input gradient.</summary>
        public string OtherDelta => Delta == "_deltaA" ? "_deltaB" : "_deltaA";

        public string Input => Activation(Slots.InputOffset, Layer.InputShape);

        public string Output => Activation(Slots.OutputOffset, Layer.OutputShape);

        /// <summary>The rows this layer works on: <c>batchSize</c>, or <c>rows</c> (= batchSize · steps) on sequences.</summary>
        public string Rows => RowsOf(Layer.InputShape);

        /// <summary>The gradient w.r.t. this layer's output, in <see cref="Delta"/>.</summary>
        public string OutputGradient => Slice(Delta, 0, RowsOf(Layer.OutputShape) + " * " + Int(Layer.OutputShape.Size));

        /// <summary>Room for the gradient w.r.t. this layer's input, in <see cref="OtherDelta"/>.</summary>
        public string InputGradient => Slice(OtherDelta, 0, RowsOf(Layer.InputShape) + " * " + Int(Layer.InputShape.Size));

        public static string RowsOf(Shape shape) => shape.IsSequence ? "rows" : "batchSize";

        public static string Activation(int offset, Shape shape) => Slice("_activations", offset, RowsOf(shape) + " * " + Int(shape.Size));

        public static string Parameters(int offset, int length) => "_parameters.Slice(" + Int(offset) + ", " + Int(length) + ")";

        public static string Gradients(int offset, int length) => Slice("_gradients", offset, Int(length));

        /// <summary>A part of one of the model's float buffers (each an AlignedBuffer).</summary>
        public static string Slice(string buffer, int offset, string length) => Slice(buffer, Int(offset), length);

        /// <summary><see cref="Slice(string, int, string)"/> at an offset computed at run time.</summary>
        public static string Slice(string buffer, string offset, string length) => buffer + ".Slice(" + offset + ", " + length + ")";

        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        public static string Float(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";
    }
}
