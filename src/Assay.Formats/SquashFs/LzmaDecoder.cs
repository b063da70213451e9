using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Assay.Formats.SquashFs;

/// <summary>
/// LZMA and LZMA2 decoding into one flat output buffer that is also the dictionary: a SquashFS
/// block is an independent stream whose whole output fits the block, so no sliding window is
/// needed. Written from the LZMA specification (lzma-specification.txt of the LZMA SDK, section
/// "The range decoder" and "LZMA decoding") and the LZMA2 chunk layout of xz (xz-file-format.txt
/// 5.3.1). Every distance is checked against the bytes decoded so far and every read against the
/// input; failures throw <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class LzmaDecoder
{
    private const int States = 12;
    private const int PosStatesMax = 1 << 4;
    private const int LiteralStates = 7;
    private const int LenToPosStates = 4;
    private const int PosSlotBits = 6;
    private const int EndPosModelIndex = 14;
    private const int FullDistances = 1 << (EndPosModelIndex >> 1);
    private const int AlignBits = 4;
    private const int MatchMinLength = 2;
    private const int LiteralCoderSize = 0x300;
    private const ushort ProbabilityInit = 1024;
    private const uint EndMarkerDistance = 0xffffffff;

    // probability array layout
    private const int IsMatch = 0;
    private const int IsRep = IsMatch + (States * PosStatesMax);
    private const int IsRepG0 = IsRep + States;
    private const int IsRepG1 = IsRepG0 + States;
    private const int IsRepG2 = IsRepG1 + States;
    private const int IsRep0Long = IsRepG2 + States;
    private const int PosSlot = IsRep0Long + (States * PosStatesMax);
    private const int SpecPos = PosSlot + (LenToPosStates << PosSlotBits);
    private const int Align = SpecPos + FullDistances - EndPosModelIndex;
    private const int LenCoder = Align + (1 << AlignBits);
    private const int LenCoderSize = 2 + (PosStatesMax << 3) + (PosStatesMax << 3) + 256;
    private const int RepLenCoder = LenCoder + LenCoderSize;
    private const int Literal = RepLenCoder + LenCoderSize;
    private const int LenChoice = 0;
    private const int LenChoice2 = 1;
    private const int LenLow = 2;
    private const int LenMid = LenLow + (PosStatesMax << 3);
    private const int LenHigh = LenMid + (PosStatesMax << 3);

    // LZMA2 control byte (xz-file-format.txt 5.3.1 and liblzma lzma2_decoder.c)
    private const byte Lzma2End = 0x00;
    private const byte Lzma2CopyResetDict = 0x01;
    private const byte Lzma2Copy = 0x02;
    private const byte Lzma2Lzma = 0x80;
    private const int Lzma2MaxLcPlusLp = 4;

    /// <summary>
    /// LZMA itself allows lc + lp up to 12 (a 6 MiB literal table); SquashFS writers use lc 3 lp 0 or
    /// lc 0 lp 2, so more than 8 (768 KiB of probabilities) is refused rather than allocated.
    /// </summary>
    private const int MaxLzmaLcPlusLp = 8;

    private ushort[] _probs = new ushort[Literal + (LiteralCoderSize << Lzma2MaxLcPlusLp)];
    private int _lc;
    private int _lp;
    private int _pb;
    private uint _state;
    private uint _rep0;
    private uint _rep1;
    private uint _rep2;
    private uint _rep3;

    /// <summary>Sets lc/lp/pb from an LZMA properties byte ((pb * 5 + lp) * 9 + lc).</summary>
    public void SetProperties(byte properties, int maxLcPlusLp)
    {
        if (properties >= 9 * 5 * 5)
            throw new InvalidDataException($"the lzma properties byte 0x{properties:x2} is not a valid lc/lp/pb combination");
        var lc = properties % 9;
        var rest = properties / 9;
        var lp = rest % 5;
        var pb = rest / 5;
        if (lc + lp > maxLcPlusLp)
            throw new InvalidDataException($"lzma lc {lc} + lp {lp} exceeds {maxLcPlusLp}");
        (_lc, _lp, _pb) = (lc, lp, pb);
        var size = Literal + (LiteralCoderSize << (lc + lp));
        if (_probs.Length < size)
            _probs = new ushort[size];
    }

    public void ResetState()
    {
        _probs.AsSpan(0, Literal + (LiteralCoderSize << (_lc + _lp))).Fill(ProbabilityInit);
        _state = 0;
        _rep0 = _rep1 = _rep2 = _rep3 = 0;
    }

    /// <summary>
    /// Decodes an LZMA "alone" payload (after its 13-byte header) of <paramref name="size"/> bytes
    /// into <paramref name="output"/>. An end marker right at the end is accepted.
    /// </summary>
    public int DecodeLzma(byte properties, ReadOnlySpan<byte> input, Span<byte> output, int size)
    {
        SetProperties(properties, MaxLzmaLcPlusLp);
        ResetState();
        var rc = new RangeDecoder(input);
        return Decode(ref rc, output, 0, 0, size, true);
    }

    /// <summary>Decodes an LZMA2 stream into <paramref name="output"/>; returns (bytes written, bytes of input used).</summary>
    public (int Written, int Used) DecodeLzma2(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var inPos = 0;
        var outPos = 0;
        var dictStart = 0;
        var needDictReset = true;
        var needProperties = true;
        while (true)
        {
            if (inPos >= input.Length)
                throw new InvalidDataException($"the lzma2 stream ends without its end marker after {input.Length} bytes");
            var control = input[inPos++];
            if (control == Lzma2End)
                return (outPos, inPos);
            if (control is Lzma2CopyResetDict or Lzma2Copy)
            {
                if (control == Lzma2CopyResetDict)
                {
                    dictStart = outPos;
                    needDictReset = false;
                }
                else if (needDictReset)
                {
                    throw new InvalidDataException("the lzma2 stream does not start with a dictionary reset");
                }
                if (inPos + 2 > input.Length)
                    throw new InvalidDataException("the lzma2 stream is truncated in a chunk header");
                var size = BinaryPrimitives.ReadUInt16BigEndian(input[inPos..]) + 1;
                inPos += 2;
                if (size > input.Length - inPos || size > output.Length - outPos)
                    throw new InvalidDataException($"the lzma2 stored chunk of {size} bytes runs past the input or the {output.Length}-byte output");
                input.Slice(inPos, size).CopyTo(output[outPos..]);
                inPos += size;
                outPos += size;
                continue;
            }
            if (control < Lzma2Lzma)
                throw new InvalidDataException($"the lzma2 control byte 0x{control:x2} is invalid");
            if (inPos + 4 > input.Length)
                throw new InvalidDataException("the lzma2 stream is truncated in a chunk header");
            var unpacked = ((control & 0x1f) << 16) + BinaryPrimitives.ReadUInt16BigEndian(input[inPos..]) + 1;
            var packed = BinaryPrimitives.ReadUInt16BigEndian(input[(inPos + 2)..]) + 1;
            inPos += 4;
            var reset = (control >> 5) & 3;
            if (reset == 3)
            {
                dictStart = outPos;
                needDictReset = false;
            }
            else if (needDictReset)
            {
                throw new InvalidDataException("the lzma2 stream does not start with a dictionary reset");
            }
            if (reset >= 2)
            {
                if (inPos >= input.Length)
                    throw new InvalidDataException("the lzma2 stream is truncated in a chunk header");
                SetProperties(input[inPos++], Lzma2MaxLcPlusLp);
                needProperties = false;
            }
            else if (needProperties)
            {
                throw new InvalidDataException("the first lzma2 chunk does not set the properties");
            }
            if (reset >= 1)
                ResetState();
            if (unpacked > output.Length - outPos || packed > input.Length - inPos)
                throw new InvalidDataException($"the lzma2 chunk ({packed} -> {unpacked} bytes) runs past the input or the {output.Length}-byte output");
            var rc = new RangeDecoder(input.Slice(inPos, packed));
            Decode(ref rc, output, dictStart, outPos, outPos + unpacked, false);
            inPos += packed;
            outPos += unpacked;
        }
    }

    private int Decode(ref RangeDecoder rc, Span<byte> output, int dictStart, int outPos, int outEnd, bool allowEndMarker)
    {
        var probs = _probs.AsSpan();
        var pbMask = (1 << _pb) - 1;
        var lpMask = (1 << _lp) - 1;
        var lc = _lc;
        var state = _state;
        uint rep0 = _rep0, rep1 = _rep1, rep2 = _rep2, rep3 = _rep3;
        while (outPos < outEnd)
        {
            var pos = outPos - dictStart;
            var posState = pos & pbMask;
            if (rc.Bit(ref probs[IsMatch + (int)(state << 4) + posState]) == 0)
            {
                var prev = pos > 0 ? output[outPos - 1] : 0;
                var lit = Literal + (LiteralCoderSize * (((pos & lpMask) << lc) + (prev >> (8 - lc))));
                uint symbol = 1;
                if (state < LiteralStates)
                {
                    do
                    {
                        symbol = (symbol << 1) | rc.Bit(ref probs[lit + (int)symbol]);
                    }
                    while (symbol < 0x100);
                }
                else
                {
                    if (rep0 >= (uint)pos)
                        throw new InvalidDataException($"the lzma stream refers to distance {rep0 + 1} with {pos} bytes decoded");
                    uint matchByte = output[outPos - (int)rep0 - 1];
                    uint offs = 0x100;
                    do
                    {
                        matchByte <<= 1;
                        var bit = offs;
                        offs &= matchByte;
                        if (rc.Bit(ref probs[lit + (int)(offs + bit + symbol)]) == 0)
                        {
                            symbol <<= 1;
                            offs ^= bit;
                        }
                        else
                        {
                            symbol = (symbol << 1) | 1;
                        }
                    }
                    while (symbol < 0x100);
                }
                output[outPos++] = (byte)symbol;
                state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
                continue;
            }
            uint len;
            if (rc.Bit(ref probs[IsRep + (int)state]) == 0)
            {
                rep3 = rep2;
                rep2 = rep1;
                rep1 = rep0;
                len = DecodeLength(ref rc, probs.Slice(LenCoder, LenCoderSize), posState);
                state = state < LiteralStates ? 7u : 10u;
                rep0 = DecodeDistance(ref rc, probs, len);
                if (rep0 == EndMarkerDistance)
                {
                    if (allowEndMarker)
                        break;
                    throw new InvalidDataException("the lzma2 chunk has an end marker");
                }
            }
            else
            {
                if (outPos == dictStart)
                    throw new InvalidDataException("the lzma stream repeats a match before any byte was decoded");
                if (rc.Bit(ref probs[IsRepG0 + (int)state]) == 0)
                {
                    if (rc.Bit(ref probs[IsRep0Long + (int)(state << 4) + posState]) == 0)
                    {
                        state = state < LiteralStates ? 9u : 11u;
                        if (rep0 >= (uint)pos)
                            throw new InvalidDataException($"the lzma stream refers to distance {rep0 + 1} with {pos} bytes decoded");
                        output[outPos] = output[outPos - (int)rep0 - 1];
                        outPos++;
                        continue;
                    }
                }
                else
                {
                    uint dist;
                    if (rc.Bit(ref probs[IsRepG1 + (int)state]) == 0)
                    {
                        dist = rep1;
                    }
                    else
                    {
                        if (rc.Bit(ref probs[IsRepG2 + (int)state]) == 0)
                        {
                            dist = rep2;
                        }
                        else
                        {
                            dist = rep3;
                            rep3 = rep2;
                        }
                        rep2 = rep1;
                    }
                    rep1 = rep0;
                    rep0 = dist;
                }
                len = DecodeLength(ref rc, probs.Slice(RepLenCoder, LenCoderSize), posState);
                state = state < LiteralStates ? 8u : 11u;
            }
            if (rep0 >= (uint)pos)
                throw new InvalidDataException($"the lzma stream refers to distance {rep0 + 1} with {pos} bytes decoded");
            var length = (int)len + MatchMinLength;
            if (length > outEnd - outPos)
            {
                if (!allowEndMarker)
                    throw new InvalidDataException("an lzma2 match runs past the end of its chunk");
                length = outEnd - outPos;
            }
            var from = outPos - (int)rep0 - 1;
            if (rep0 + 1 >= (uint)length)
            {
                output.Slice(from, length).CopyTo(output[outPos..]);
                outPos += length;
            }
            else
            {
                for (var i = 0; i < length; i++)
                    output[outPos++] = output[from + i];
            }
        }
        (_state, _rep0, _rep1, _rep2, _rep3) = (state, rep0, rep1, rep2, rep3);
        return outPos;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint DecodeLength(ref RangeDecoder rc, Span<ushort> p, int posState)
    {
        if (rc.Bit(ref p[LenChoice]) == 0)
            return rc.BitTree(p.Slice(LenLow + (posState << 3), 8), 3);
        if (rc.Bit(ref p[LenChoice2]) == 0)
            return 8 + rc.BitTree(p.Slice(LenMid + (posState << 3), 8), 3);
        return 16 + rc.BitTree(p.Slice(LenHigh, 256), 8);
    }

    private static uint DecodeDistance(ref RangeDecoder rc, Span<ushort> probs, uint len)
    {
        var lenState = (int)Math.Min(len, LenToPosStates - 1);
        var slot = rc.BitTree(probs.Slice(PosSlot + (lenState << PosSlotBits), 1 << PosSlotBits), PosSlotBits);
        if (slot < 4)
            return slot;
        var direct = (int)(slot >> 1) - 1;
        var dist = (2 | (slot & 1)) << direct;
        if (slot < EndPosModelIndex)
            return dist + rc.ReverseBitTree(probs[(SpecPos + (int)dist - (int)slot - 1)..], direct);
        dist += rc.DirectBits(direct - AlignBits) << AlignBits;
        return dist + rc.ReverseBitTree(probs.Slice(Align, 1 << AlignBits), AlignBits);
    }
}

/// <summary>The LZMA range decoder: 5 init bytes (the first one 0), then normalisation before each bit.</summary>
internal ref struct RangeDecoder
{
    private const uint TopValue = 1u << 24;
    private const int BitModelTotalBits = 11;
    private const int MoveBits = 5;

    private readonly ReadOnlySpan<byte> _input;
    private int _pos;
    private uint _range;
    private uint _code;

    public RangeDecoder(ReadOnlySpan<byte> input)
    {
        if (input.Length < 5 || input[0] != 0)
            throw new InvalidDataException("the lzma range coder does not start with a zero byte and four code bytes");
        _input = input;
        _code = BinaryPrimitives.ReadUInt32BigEndian(input[1..]);
        _range = 0xffffffff;
        _pos = 5;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Normalize()
    {
        if (_range < TopValue)
        {
            if ((uint)_pos >= (uint)_input.Length)
                throw new InvalidDataException($"the lzma data ends early (after {_input.Length} bytes)");
            _range <<= 8;
            _code = (_code << 8) | _input[_pos++];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Bit(ref ushort probability)
    {
        Normalize();
        var p = (uint)probability;
        var bound = (_range >> BitModelTotalBits) * p;
        if (_code < bound)
        {
            _range = bound;
            probability = (ushort)(p + (((1u << BitModelTotalBits) - p) >> MoveBits));
            return 0;
        }
        _range -= bound;
        _code -= bound;
        probability = (ushort)(p - (p >> MoveBits));
        return 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint BitTree(Span<ushort> probs, int bits)
    {
        uint m = 1;
        for (var i = 0; i < bits; i++)
            m = (m << 1) | Bit(ref probs[(int)m]);
        return m - (1u << bits);
    }

    public uint ReverseBitTree(Span<ushort> probs, int bits)
    {
        uint m = 1;
        uint symbol = 0;
        for (var i = 0; i < bits; i++)
        {
            var bit = Bit(ref probs[(int)m]);
            m = (m << 1) | bit;
            symbol |= bit << i;
        }
        return symbol;
    }

    public uint DirectBits(int count)
    {
        uint result = 0;
        for (var i = 0; i < count; i++)
        {
            Normalize();
            _range >>= 1;
            var t = (_code - _range) >> 31;
            _code -= _range & (t - 1);
            result = (result << 1) | (1 - t);
        }
        return result;
    }
}
