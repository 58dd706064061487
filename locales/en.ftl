# Courier, English: the source every other locale translates.
# "Courier" is the product's name and stays as it is in every language.

## Shell and top bar

loading = Loading…
sign-out = Sign out
sign-out-remove-data = Sign out and remove this account's messages from this browser
preferences = Preferences
select-chat = Select a chat to start messaging
part-not-loaded = This part of Courier could not be loaded. Check your connection and try again.
connection = Connection
conn-connecting = Connecting…
conn-online = Online
conn-offline = Offline — messages will be sent when you're back

## Preferences

language = Language
lang-system = System default
theme = Theme
theme-system = System
theme-light = Light
theme-dark = Dark
close = Close

## Sign in, sign up, join

sign-in = Sign in
sign-up = Sign up
username = Username
password = Password
display-name = Display name
optional = optional
have-account = I have an account
create-account = Create an account
loading-invite = Loading invite…
members-count = { $n ->
    [one] { $n } member
   *[other] { $n } members
}
subscribers-count = { $n ->
    [one] { $n } subscriber
   *[other] { $n } subscribers
}
channel-subscribers = Channel · { $n ->
    [one] { $n } subscriber
   *[other] { $n } subscribers
}
admin-approves = An admin approves new members.
join-request-sent = Your request to join was sent. You will see the chat once an admin approves it.
request-to-join = Request to join
join-chat = Join chat
keep-title = Keep your chats: choose a username and password
keep-my-chats = Keep my chats

## Chat list

chats = Chats
no-chats = No chats yet: start one above or open an invite link.
you = You
preview = { $who }: { $text }
unread = { $n } unread

## Open chat

back = Back
members = Members
settings = Settings
no-longer-member = You are no longer a member of this chat.
pinned-message = Pinned message
pinned = Pinned
admins-only-post = Only admins post in this channel.
messages = Messages
text-too-long = Message is too long: { $n } of { $max } characters allowed
slow-mode-note = Slow mode: one message every { $n } s
reply-to = Reply to
editing = Editing message
cancel-reply = Cancel reply
cancel-edit = Cancel edit
message = Message
send = Send

## Messages

sent = Sent
pending = Pending
failed = Failed
not-sent = Not sent: { $reason }
quote-not-here = An earlier message
message-unsupported = This message needs a newer version of Courier
edited = edited
message-actions = Message actions
reactions = Reactions
react = React { $emoji }
reply = Reply
edit = Edit
pin = Pin
unpin = Unpin
views = { $n ->
    [one] { $n } view
   *[other] { $n } views
}

## Members and settings

members-of-chat = Members of this chat
role-owner = owner
role-admin = admin
make-admin = Make admin
make-admin-named = Make admin: { $name }
dismiss-admin = Dismiss admin
dismiss-admin-named = Dismiss admin: { $name }
remove = Remove
remove-named = Remove { $name }
ban = Ban
ban-named = Ban { $name }
show-more = Show more
invite-link = Invite link
copy-link = Copy link
copied = Copied
chat-settings = Chat settings
chat-name = Chat name
public-handle = Public handle
handle-placeholder = none: private
slow-mode = Slow mode
off = Off
duration-seconds = { $n } s
duration-minutes = { $n } min
duration-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
duration-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
duration-weeks = { $n ->
    [one] { $n } week
   *[other] { $n } weeks
}
never = Never
sign-posts = Sign posts with the author's name
save = Save
saved = Saved
invite-links = Invite links
revoke = Revoke
revoke-named = Revoke { $code }
new-invite-link = New invite link
expires = Expires
usage-limit = Usage limit
no-limit = no limit
admins-approve = Admins approve new members
create-link = Create link
link-main = main link
link-revoked = revoked
link-used = { $uses } of { $limit } used
link-joined = { $n } joined
link-expires = expires { $date }
link-needs-approval = needs approval
join-requests = Join requests
approve = Approve
approve-named = Approve { $name }
decline = Decline
decline-named = Decline { $name }

## Errors: one per protocol error code (error-<wire name>), and the network

error-network = Cannot reach the server
error-bad-frame = Malformed frame
error-frame-too-large = Frame too large
error-hello-required = Hello expected first, once
error-unsupported-version = Unsupported protocol version
error-text-empty = Message text is empty
error-text-too-long = Message text is too long
error-bad-client-id = Client message id is malformed
error-too-many = Too many items
error-not-member = Not a member of this chat
error-unauthorized = Not signed in
error-bad-credentials = Wrong username or password
error-username-taken = Username is taken
error-bad-username = Username must be 3-32 of a-z, 0-9, _ and start with a letter
error-bad-password = Password must be 8-256 characters
error-bad-name = Name is empty, too long or has control characters
error-unknown-user = No such user
error-bad-invite = Invite link is not valid
error-already-account = Already has an account
error-body-too-large = Request body too large
error-bad-request = Bad request
error-bad-origin = Origin not allowed
error-not-allowed = Your role in this chat does not allow it
error-slow-mode = Slow mode: wait before sending again
error-banned = Banned from this chat
error-invite-expired = Invite link has expired
error-invite-revoked = Invite link was revoked
error-invite-used-up = Invite link has reached its usage limit
error-handle-taken = That @handle is taken
error-bad-handle = @handle must be 3-32 of a-z, 0-9, _ and start with a letter
error-owner-stays = The owner cannot be removed, banned or demoted
error-bad-target = That message is not there to act on
error-bad-reaction = Not one of the reactions on offer
error-not-found = Not found
error-slow-down = Too many attempts. Wait a moment and try again
error-blocked = You cannot message this person
error-too-broad = That search takes too long: add words or search one chat
error-file-too-large = File is too large (up to 4 GB)
error-quota-exceeded = Not enough storage left for this file
error-offset-mismatch = The upload got out of step; it will resume
error-bad-file = That file cannot be sent
error-no-call = That call is over
error-in-call = You are already in a call
error-call-crossed = They are calling you
error-internal = Internal error

## Everyday messaging: search, forwarding, receipts, presence, timers

search-in-chat = Search in this chat
search-results = Search results
search-none = Nothing found
search-offline = Offline: only messages on this device
forward = Forward
forward-to = Forward to…
forwarded-from = Forwarded from { $name }
cancel = Cancel
delete-for-me = Delete for me
delete-for-everyone = Delete for everyone
read = Read
delivered = Delivered
seen-by = Seen by { $names }
seen-by-nobody = Not seen yet
reaction-by = { $emoji } { $n }, from { $names }
reaction-count = { $emoji } { $n }
disappears = Disappears when its timer runs out
typing = { $names } typing…
online = online
last-seen = last seen at { $time }
last-seen-yesterday = last seen yesterday at { $time }
last-seen-on = last seen { $date }
last-seen-recently = last seen recently
hide-last-seen = Hide my last seen time
chat-options = Chat options
jump-to-date = Jump to date
jump-to-newest = Jump to the newest message
no-messages-since = No messages from that day on
auto-delete = Auto-delete messages
timer-off = Off
timer-day = After 1 day
timer-week = After 1 week
timer-month = After 1 month
timer-custom = Custom…
timer-hours = Hours
timer-set = Set
unread-messages = Unread messages
loading-older = Loading older messages…
schedule-message = Schedule message

## Files
attach = Attach files
attachments = Files to send
upload-done = Uploaded
upload-cancelled = Cancelled
upload-paused = Paused
upload-progress = { $sent } of { $size }
upload-resume = Resume upload
upload-pause = Pause upload
upload-cancel = Cancel upload
upload-interrupted = Interrupted: choose the file again to go on
upload-choose-again = Choose the file
upload-interrupted-files = Upload interrupted: choose the files again to send
upload-choose-files = Choose the files
send-as-files = Send as files, uncompressed
delete-unsent = Delete
voice-message = Voice message, { $duration }
round-video = Video message
media-photo = Photo
media-video = Video
media-album = Album
media-file = File: { $name }
media-voice = Voice message
open-photo = Open photo
photo-viewer = Photo viewer
zoom-in = Zoom
download = Download
previous-photo = Previous photo
next-photo = Next photo
record-voice = Record a voice message
record-round = Record a video message
recording-voice = Recording a voice message
recording-round = Recording a video message
record-cancel = Cancel
record-slide-cancel = ‹ Slide to cancel
record-send = Send
record-failed = The microphone or camera is not available
voice-play = Play
voice-pause = Pause
voice-speed = Playback speed
voice-position = Position
voice-unheard = Not listened to yet
schedule-at = Send at
schedule = Schedule
scheduled-messages = Scheduled messages
scheduled-count = { $n ->
    [one] { $n } scheduled message
   *[other] { $n } scheduled messages
}
draft-label = Draft:
cancel-scheduled = Cancel scheduled message

## Organising chats: folders, pin, mute, archive, mentions

folders = Folders
folder-all = All
folder-unread = Unread
folder-personal = Personal
folder-groups = Groups
folder-channels = Channels
folder-archived = Archived
edit-folders = Edit folders
new-folder = New folder
delete-folder = Delete
folder-name = Folder name
folder-include = Include
folder-skip-muted = Leave out muted chats
folder-skip-read = Leave out read chats
folder-chats = Chats
folder-by-kind = As above
folder-always = Always
folder-never = Never
done = Done
pinned-chat = Pinned
muted = Muted
mentioned = You were mentioned
pin-chat = Pin to top
mute-chat = Mute
archive-chat = Archive
accounts = Accounts
add-account = Add account
back-to-account = Back to my account
notifications = Notifications of new messages

# Blocking a person, leaving a group or channel
block-user = Block
unblock-user = Unblock
blocked-note = You blocked this person: they cannot write to you.
leave-group = Leave group
leave-channel = Leave channel

# Devices (each sign-in) and the password, in Preferences
devices = Devices
device-this = This device
device-seen = Last seen { $time }
device-unnamed = Unknown device
device-name = Device name
device-rename = Rename
device-end = Sign out
device-end-named = Sign out { $name }
password-change = Change password
password-old = Current password
password-new = New password
password-changed = Password changed. Your other devices were signed out.
password-wrong = The current password is wrong

# Starting chats and the one search box.
new-chat = New chat
new-private-chat = New private chat
new-group = New group
new-channel = New channel
search-people = Search people by name or @username
group-name = Group name
channel-name = Channel name
next = Next
create = Create
add-people = Add people
search = Search
section-people = People
section-public = Public groups and channels

call-voice = Call, { $duration }
call-video = Video call, { $duration }
call-missed = Missed call
call-declined = Declined call
call-busy = Call: line busy
call-cancelled = Cancelled call
call = Call
call-voice-start = Voice call
call-video-start = Video call
call-calling = Calling…
call-ringing = Ringing…
call-incoming-voice = Incoming call
call-incoming-video = Incoming video call
call-connecting = Connecting…
call-ended = Call ended
call-failed = The call could not go on
call-no-media = Your microphone or camera is not available
call-accept = Answer
call-decline = Decline
call-hang-up = Hang up
call-mute = Mute
call-camera-off = Camera off
call-info = Call info
call-their-video = Their video
call-my-video = Your video
call-info-codecs = Codecs
call-info-bitrate = Incoming bitrate
call-info-lost = Packets lost
call-info-jitter = Jitter buffer delay
call-info-path = Connection
call-info-frames = Video frames decoded
call-info-energy = Audio energy received
call-minimise = Minimise
call-devices = Devices
call-device-microphone = Microphone
call-device-camera = Camera
call-device-speaker = Speaker
call-device-unnamed = Device { $n }
call-quality-good = Connection: good
call-quality-fair = Connection: fair
call-quality-poor = Connection: poor
group-call = Video chat
group-call-start = Start video chat
group-call-join = Join
group-call-join-label = Join the video chat
group-call-going = Video chat · { $n ->
    [one] { $n } participant
   *[other] { $n } participants
}
group-call-count = { $n ->
    [one] { $n } participant
   *[other] { $n } participants
}
group-call-joining = Joining…
group-call-leave = Leave
group-call-camera = Camera
group-call-screen = Share screen
group-call-hand = Raise hand
group-call-you = { $name } (you)
group-call-muted = muted
group-call-hand-raised = hand raised
group-call-speaking = speaking
group-call-screen-of = Screen of { $name }
group-call-people = Participants
group-call-share-failed = The screen could not be shared
