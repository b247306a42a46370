package io.facex.weights;

import java.util.Locale;

/** Element types a weights file may hold. Data is always kept little-endian. */
public enum DType {
    FLOAT32(4, "f4", "F32"),
    FLOAT64(8, "f8", "F64"),
    FLOAT16(2, "f2", "F16"),
    BFLOAT16(2, null, "BF16"),
    INT64(8, "i8", "I64"),
    INT32(4, "i4", "I32"),
    INT16(2, "i2", "I16"),
    INT8(1, "i1", "I8"),
    UINT8(1, "u1", "U8"),
    BOOL(1, "b1", "BOOL");

    private final int byteSize;
    private final String npyCode;
    private final String safetensorsName;

    DType(int byteSize, String npyCode, String safetensorsName) {
        this.byteSize = byteSize;
        this.npyCode = npyCode;
        this.safetensorsName = safetensorsName;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
    }

    /** NumPy's kind+size code ({@code f4}, {@code i8}, …), or null when NumPy has no such type (bfloat16). */
    public String npyCode() {
        return npyCode;
    }

    /** The dtype string of the safetensors header ({@code F32}, {@code I64}, …). */
    public String safetensorsName() {
        return safetensorsName;
    }

    static DType fromNpyCode(String code) {
        for (DType t : values()) {
            if (code.equals(t.npyCode)) {
                return t;
            }
        }
        return null;
    }

    static DType fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
