using System.Collections.Generic;

namespace ModelGen.Generator.Model
{
    /// <summary>
    /// How an encoder–decoder model's encoder seeds its decoder. When the encoder ends with a recurrent layer, encoder
    /// recurrent layer k hands its final state to decoder recurrent layer k (<see cref="PassesStates"/>); otherwise the
    /// encoder's output vector becomes the hidden state of the decoder's first recurrent layer.
    /// </summary>
    internal sealed class EncoderDecoder
    {
        private readonly List<int> _encoderLayers;

        private EncoderDecoder(int decoderIndex, bool passesStates, List<int> encoderLayers, List<int> decoderLayers)
        {
            _encoderLayers = encoderLayers;
            DecoderIndex = decoderIndex;
            PassesStates = passesStates;
            EncoderRecurrentLayers = encoderLayers;
            DecoderRecurrentLayers = decoderLayers;
        }

        /// <summary>The index of the <see cref="DecoderSpec"/> in the layer stack.</summary>
        public int DecoderIndex { get; }

        /// <summary>True when recurrent states pass layer by layer; false when the encoder's output vector seeds the decoder.</summary>
        public bool PassesStates { get; }

        public IReadOnlyList<int> EncoderRecurrentLayers { get; }

        public IReadOnlyList<int> DecoderRecurrentLayers { get; }

        /// <summary>The layout of a model's layers, or null when they hold no <see cref="DecoderSpec"/>.</summary>
        public static EncoderDecoder? Of(IReadOnlyList<LayerSpec> layers)
        {
            var decoderIndex = -1;
            for (var i = 0; i < layers.Count && decoderIndex < 0; i++)
            {
                if (layers[i] is DecoderSpec)
                {
                    decoderIndex = i;
                }
            }

            if (decoderIndex < 0)
            {
                return null;
            }

            var encoder = new List<int>();
            var decoder = new List<int>();
            for (var i = 0; i < layers.Count; i++)
            {
                if (layers[i] is RecurrentSpec)
                {
                    (i < decoderIndex ? encoder : decoder).Add(i);
                }
            }

            var passesStates = decoderIndex > 0 && layers[decoderIndex - 1] is RecurrentSpec;
            return new EncoderDecoder(decoderIndex, passesStates, encoder, decoder);
        }

        public static EncoderDecoder? Of(ModelSpec model) => Of(System.Linq.Enumerable.ToList(model.Layers));

        /// <summary>The decoder layer whose initial state the final state of encoder layer <paramref name="encoderLayer"/> becomes, or −1.</summary>
        public int DecoderPartner(int encoderLayer)
        {
            if (!PassesStates)
            {
                return -1;
            }

            var depth = _encoderLayers.IndexOf(encoderLayer);
            return depth >= 0 && depth < DecoderRecurrentLayers.Count ? DecoderRecurrentLayers[depth] : -1;
        }
    }
}
