// The piece being filled in front of the packed pieces (archive/filling-piece.ts), shared by the
// packed strings and texts: it reads back as the piece it becomes, before and after it is sealed.
import { describe, expect, it } from 'vitest';
import { FillingPiece } from '../../src/archive/filling-piece.js';

function write(piece: FillingPiece, text: string): void {
  piece.filled += piece.bytes.write(text, piece.filled, 'latin1');
}

describe('FillingPiece', () => {
  it('reads its bytes as the next piece before and after sealing, and an empty seal packs nothing', () => {
    const piece = new FillingPiece(16, 2);
    write(piece, 'CREATE TABLE a');
    expect(piece.read(0).toString('latin1')).toBe('CREATE TABLE a');
    piece.seal();
    piece.seal();
    expect(piece.pieces.count).toBe(1);
    write(piece, 'next');
    expect(piece.read(1).toString('latin1')).toBe('next');
    // The first piece was packed from the buffer now filled again: its bytes are its own.
    expect(piece.read(0).toString('latin1')).toBe('CREATE TABLE a');
  });

  it('holds one entry larger than a piece in one, then goes back to the usual size', () => {
    const piece = new FillingPiece(8, 2);
    expect(() => {
      write(piece, 'x');
      piece.enlarge(100);
    }).toThrow(/empty/);
    piece.seal();
    const long = 'ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id)';
    piece.enlarge(long.length);
    expect(piece.capacity).toBe(long.length);
    write(piece, long);
    piece.seal();
    expect(piece.capacity).toBe(8);
    expect(piece.read(1).toString('latin1')).toBe(long);
    expect(piece.heldBytes).toBeGreaterThanOrEqual(8);
  });
});
