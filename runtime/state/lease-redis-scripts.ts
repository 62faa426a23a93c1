/*
 * The Lua scripts behind Redis leases. Each runs atomically on the server, so a check and the
 * write it guards can never be split by another replica. A lease is a hash {holder, token} with
 * a PX expiry; the token comes from a per-source counter that never expires, so it only grows.
 */

/** KEYS: lease, token counter. ARGV: holder, ttl ms. Returns the new token, or nil when held by another. */
export const ACQUIRE = `
local holder = redis.call('HGET', KEYS[1], 'holder')
if holder and holder ~= ARGV[1] then return false end
local token = redis.call('INCR', KEYS[2])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return token`;

/** KEYS: lease. ARGV: holder, token, ttl ms. Returns 1 when extended, 0 when not held with this fence. */
export const RENEW = `
local lease = redis.call('HMGET', KEYS[1], 'holder', 'token')
if lease[1] ~= ARGV[1] or lease[2] ~= ARGV[2] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/** KEYS: lease. ARGV: holder, token. Returns 1 when deleted, 0 when not held with this fence. */
export const RELEASE = `
local lease = redis.call('HMGET', KEYS[1], 'holder', 'token')
if lease[1] ~= ARGV[1] or lease[2] ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * KEYS: lease, state hash. ARGV: holder, token, n, then n field/value pairs to set, then fields
 * to delete. Returns 0 (nothing written) unless the lease is held with this fence. The type check
 * runs before any write, so a wrong key type fails the whole commit rather than half of it.
 */
export const FENCED_COMMIT = `
local lease = redis.call('HMGET', KEYS[1], 'holder', 'token')
if lease[1] ~= ARGV[1] or lease[2] ~= ARGV[2] then return 0 end
local kind = redis.call('TYPE', KEYS[2]).ok
if kind ~= 'hash' and kind ~= 'none' then return redis.error_reply('WRONGTYPE state key is a ' .. kind) end
local last = 3 + 2 * tonumber(ARGV[3])
for i = 4, last, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
for i = last + 1, #ARGV do redis.call('HDEL', KEYS[2], ARGV[i]) end
return 1`;

/** Live members, flat: id, ms left, fingerprint, … (uses KEYS[1] zset, KEYS[2] info hash, now). */
const LIVE = `
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES')
local out = {}
for i = 1, #live, 2 do
  out[#out + 1] = live[i]
  out[#out + 1] = tostring(tonumber(live[i + 1]) - now)
  out[#out + 1] = redis.call('HGET', KEYS[2], live[i]) or ''
end
return out`;

/** The server's clock in milliseconds: membership expiry is a zset score, not a key TTL. */
const NOW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

/**
 * KEYS: members zset (score = expiry, server ms), fingerprints hash. ARGV: replica id,
 * fingerprint, ttl ms. Drops expired members, records this one, returns the live ones.
 */
export const HEARTBEAT = `${NOW}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do redis.call('HDEL', KEYS[2], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
${LIVE}`;

/** KEYS: members zset, fingerprints hash. Returns the live members (read only). */
export const MEMBERS = `${NOW}
${LIVE}`;
