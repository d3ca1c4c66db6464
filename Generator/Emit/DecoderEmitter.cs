using ModelGen.Generator.Model;

namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// The encoder–decoder boundary. It computes nothing itself: the model shell copies the decoder's input sequence into
    /// its output slot and hands the encoder's final state to the decoder (see ModelEmitter.EncoderDecoderPasses).
    /// </summary>
    internal sealed class DecoderEmitter : LayerEmitter
    {
        public static readonly DecoderEmitter Instance = new();

        public override void EmitForward(CodeWriter writer, LayerContext context)
        {
        }

        public override string EmitBackward(CodeWriter writer, LayerContext context) => context.Delta;

        public override string Describe(LayerSpec layer) =>
            layer.Name + ": Decoder input, " + layer.OutputShape + " (the encoder's " + layer.InputShape + " output seeds its state)";
    }
}
