import { describe, expect, it } from 'vitest';
import { dingtalkSign, signedWebhook, SIGN_WINDOW_MS, verifyCallbackSign } from '../../../../src/adapters/dingtalk/sign.js';
import { VerifyError } from '../../../../src/core/errors.js';
import { DINGTALK_SIGN_VECTOR } from '../../../fixtures/dingtalk-vectors.js';

const { secret, timestamp, sign, signUrlEncoded } = DINGTALK_SIGN_VECTOR;
const at = Number(timestamp);

describe('the DingTalk signature', () => {
  it('matches the vector of the protocol notes', () => {
    expect(dingtalkSign(secret, timestamp)).toBe(sign);
  });

  it('accepts a callback signed with the app secret within the hour, on either side', () => {
    expect(() => { verifyCallbackSign({ timestamp, sign }, secret, at); }).not.toThrow();
    expect(() => { verifyCallbackSign({ timestamp, sign }, secret, at + SIGN_WINDOW_MS); }).not.toThrow();
    expect(() => { verifyCallbackSign({ timestamp, sign }, secret, at - SIGN_WINDOW_MS); }).not.toThrow();
  });

  it.each([
    ['a timestamp over an hour old', { timestamp, sign }, at + SIGN_WINDOW_MS + 1],
    ['a timestamp over an hour ahead', { timestamp, sign }, at - SIGN_WINDOW_MS - 1],
    ['another secret\'s sign', { timestamp, sign: dingtalkSign('another secret', timestamp) }, at],
    ['a sign whose + arrived as a space', { timestamp, sign: sign.replaceAll('+', ' ') }, at],
    ['no sign', { timestamp }, at],
    ['a timestamp in seconds', { timestamp: timestamp.slice(0, 10), sign: dingtalkSign(secret, timestamp.slice(0, 10)) }, at],
  ])('refuses %s', (_, headers, now) => {
    expect(() => { verifyCallbackSign(headers, secret, now); }).toThrow(VerifyError);
  });

  it('signs a custom robot webhook with the URL-encoded sign and keeps its access token', () => {
    const url = signedWebhook(new URL('https://oapi.dingtalk.com/robot/send?access_token=abc'), secret, at);

    expect(url.search).toBe(`?access_token=abc&timestamp=${timestamp}&sign=${signUrlEncoded}`);
  });
});
