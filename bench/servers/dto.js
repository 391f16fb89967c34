'use strict';
// The T2 DTO for the hand-written servers (raw ws, socket.io): the same rules as the
// TypeScript DTOs in peers/nest and peers/wse, applied with class-validator's decorator
// functions by hand (plain JS has no decorator syntax here).

const { plainToInstance } = require('class-transformer');
const { IsInt, Min, IsString, Length, IsArray, ArrayMaxSize, validateSync } = require('class-validator');

class EchoDto {}
IsInt()(EchoDto.prototype, 'id');
Min(0)(EchoDto.prototype, 'id');
IsString()(EchoDto.prototype, 'name');
Length(1, 64)(EchoDto.prototype, 'name');
IsArray()(EchoDto.prototype, 'tags');
ArrayMaxSize(8)(EchoDto.prototype, 'tags');
IsString({ each: true })(EchoDto.prototype, 'tags');

/** What a user writes by hand: parse, transform, validate synchronously, answer JSON. */
function handleDtoMessage(data) {
  let plain;
  try {
    plain = JSON.parse(data);
  } catch {
    return '{"error":"invalid JSON"}';
  }
  return handleDtoObject(plain);
}

function handleDtoObject(plain) {
  const r = validateDtoObject(plain);
  return JSON.stringify(r.ok ? r.dto : { error: r.errors });
}

/** Transform + validate an already parsed object: {ok, dto} or {ok: false, errors}. */
function validateDtoObject(plain) {
  if (plain === null || typeof plain !== 'object') return { ok: false, errors: ['(root)'] };
  const dto = plainToInstance(EchoDto, plain);
  const errors = validateSync(dto);
  if (errors.length) return { ok: false, errors: errors.map((e) => e.property) };
  return { ok: true, dto };
}

module.exports = { EchoDto, handleDtoMessage, validateDtoObject };
