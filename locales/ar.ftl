# Courier، العربية. يبقى اسم المنتج "Courier" كما هو.

## Shell and top bar

loading = جارٍ التحميل…
sign-out = تسجيل الخروج
sign-out-remove-data = تسجيل الخروج وحذف رسائل هذا الحساب من هذا المتصفح
preferences = التفضيلات
select-chat = اختر محادثة لبدء المراسلة
part-not-loaded = تعذر تحميل هذا الجزء من Courier. تحقق من اتصالك وحاول مرة أخرى.
connection = الاتصال
conn-connecting = جارٍ الاتصال…
conn-online = متصل
conn-offline = غير متصل — سترسل الرسائل عند عودة الاتصال

## Preferences

language = اللغة
lang-system = لغة النظام
theme = المظهر
theme-system = حسب النظام
theme-light = فاتح
theme-dark = داكن
close = إغلاق

## Sign in, sign up, join

sign-in = تسجيل الدخول
sign-up = إنشاء الحساب
username = اسم المستخدم
password = كلمة المرور
display-name = الاسم الظاهر
optional = اختياري
have-account = لدي حساب
create-account = إنشاء حساب جديد
loading-invite = جارٍ تحميل الدعوة…
members-count = { $n ->
    [zero] لا أعضاء
    [one] عضو واحد
    [two] عضوان
    [few] { $n } أعضاء
    [many] { $n } عضوًا
   *[other] { $n } عضو
}
subscribers-count = { $n ->
    [zero] لا مشتركين
    [one] مشترك واحد
    [two] مشتركان
    [few] { $n } مشتركين
    [many] { $n } مشتركًا
   *[other] { $n } مشترك
}
channel-subscribers = قناة · { $n ->
    [zero] لا مشتركين
    [one] مشترك واحد
    [two] مشتركان
    [few] { $n } مشتركين
    [many] { $n } مشتركًا
   *[other] { $n } مشترك
}
admin-approves = يوافق أحد المشرفين على الأعضاء الجدد.
join-request-sent = أُرسل طلب انضمامك. ستظهر لك المحادثة بعد أن يوافق عليه أحد المشرفين.
request-to-join = طلب الانضمام
join-chat = الانضمام إلى المحادثة
keep-title = احتفظ بمحادثاتك: اختر اسم مستخدم وكلمة مرور
keep-my-chats = احتفظ بمحادثاتي

## Chat list

chats = المحادثات
no-chats = لا توجد محادثات بعد: ابدأ محادثة من الأعلى أو افتح رابط دعوة.
you = أنت
preview = { $who }: { $text }
unread = { $n ->
    [zero] لا رسائل غير مقروءة
    [one] رسالة واحدة غير مقروءة
    [two] رسالتان غير مقروءتين
    [few] { $n } رسائل غير مقروءة
    [many] { $n } رسالة غير مقروءة
   *[other] { $n } رسالة غير مقروءة
}

## Open chat

back = رجوع
members = الأعضاء
settings = الإعدادات
no-longer-member = لم تعد عضوًا في هذه المحادثة.
pinned-message = الرسالة المثبتة
pinned = مثبتة
admins-only-post = النشر في هذه القناة للمشرفين فقط.
messages = الرسائل
text-too-long = الرسالة طويلة جدًا: { $n } من أصل { $max } حرفًا مسموحًا بها
slow-mode-note = الوضع البطيء: رسالة واحدة كل { $n } ثانية
reply-to = رد على
editing = تعديل الرسالة
cancel-reply = إلغاء الرد
cancel-edit = إلغاء التعديل
message = رسالة
send = إرسال

## Messages

sent = أُرسلت
pending = قيد الانتظار
failed = فشل الإرسال
not-sent = لم تُرسل: { $reason }
quote-not-here = رسالة سابقة
message-unsupported = تحتاج هذه الرسالة إلى إصدار أحدث من Courier
edited = معدّلة
message-actions = إجراءات الرسالة
reactions = التفاعلات
react = تفاعل بـ { $emoji }
reply = رد
edit = تعديل
pin = تثبيت
unpin = إلغاء التثبيت
views = { $n ->
    [zero] لا مشاهدات
    [one] مشاهدة واحدة
    [two] مشاهدتان
    [few] { $n } مشاهدات
    [many] { $n } مشاهدة
   *[other] { $n } مشاهدة
}

## Members and settings

members-of-chat = أعضاء هذه المحادثة
role-owner = المالك
role-admin = مشرف
make-admin = تعيين مشرفًا
make-admin-named = تعيين مشرفًا: { $name }
dismiss-admin = إلغاء الإشراف
dismiss-admin-named = إلغاء الإشراف: { $name }
remove = إزالة
remove-named = إزالة { $name }
ban = حظر
ban-named = حظر { $name }
show-more = عرض المزيد
invite-link = رابط الدعوة
copy-link = نسخ الرابط
copied = نُسخ
chat-settings = إعدادات المحادثة
chat-name = اسم المحادثة
public-handle = المعرّف العام
handle-placeholder = لا يوجد: خاصة
slow-mode = الوضع البطيء
off = متوقف
duration-seconds = { $n } ث
duration-minutes = { $n } د
duration-hours = { $n ->
    [one] ساعة واحدة
    [two] ساعتان
    [few] { $n } ساعات
    [many] { $n } ساعة
   *[other] { $n } ساعة
}
duration-days = { $n ->
    [one] يوم واحد
    [two] يومان
    [few] { $n } أيام
    [many] { $n } يومًا
   *[other] { $n } يوم
}
duration-weeks = { $n ->
    [one] أسبوع واحد
    [two] أسبوعان
    [few] { $n } أسابيع
    [many] { $n } أسبوعًا
   *[other] { $n } أسبوع
}
never = أبدًا
sign-posts = توقيع المنشورات باسم كاتبها
save = حفظ
saved = تم الحفظ
invite-links = روابط الدعوة
revoke = إبطال
revoke-named = إبطال { $code }
new-invite-link = رابط دعوة جديد
expires = انتهاء الصلاحية
usage-limit = حد الاستخدام
no-limit = بلا حد
admins-approve = يوافق المشرفون على الأعضاء الجدد
create-link = إنشاء الرابط
link-main = الرابط الرئيسي
link-revoked = مُبطل
link-used = استُخدم { $uses } من { $limit }
link-joined = { $n ->
    [zero] لم ينضم أحد
    [one] انضم شخص واحد
    [two] انضم شخصان
    [few] انضم { $n } أشخاص
    [many] انضم { $n } شخصًا
   *[other] انضم { $n } شخص
}
link-expires = ينتهي في { $date }
link-needs-approval = يتطلب موافقة
join-requests = طلبات الانضمام
approve = موافقة
approve-named = موافقة: { $name }
decline = رفض
decline-named = رفض { $name }

## Errors

error-network = تعذّر الوصول إلى الخادم
error-bad-frame = إطار غير صالح
error-frame-too-large = الإطار كبير جدًا
error-hello-required = يجب أن تأتي التحية أولًا ومرة واحدة فقط
error-unsupported-version = إصدار البروتوكول غير مدعوم
error-text-empty = نص الرسالة فارغ
error-text-too-long = نص الرسالة طويل جدًا
error-bad-client-id = معرّف الرسالة غير صالح
error-too-many = عناصر كثيرة جدًا
error-not-member = لست عضوًا في هذه المحادثة
error-unauthorized = لم تسجّل الدخول
error-bad-credentials = اسم المستخدم أو كلمة المرور غير صحيحة
error-username-taken = اسم المستخدم هذا مستخدم بالفعل
error-bad-username = يجب أن يتكون اسم المستخدم من 3 إلى 32 حرفًا من a-z و0-9 و_ وأن يبدأ بحرف
error-bad-password = يجب أن تتكون كلمة المرور من 8 إلى 256 حرفًا
error-bad-name = الاسم فارغ أو طويل جدًا أو يحتوي على رموز تحكم
error-unknown-user = لا يوجد مستخدم بهذا الاسم
error-bad-invite = رابط الدعوة غير صالح
error-already-account = لديك حساب بالفعل
error-body-too-large = الطلب كبير جدًا
error-bad-request = طلب غير صالح
error-bad-origin = المصدر غير مسموح به
error-not-allowed = دورك في هذه المحادثة لا يسمح بذلك
error-slow-mode = الوضع البطيء مفعّل: انتظر قبل الإرسال مجددًا
error-banned = أنت محظور من هذه المحادثة
error-invite-expired = انتهت صلاحية رابط الدعوة
error-invite-revoked = أُبطل رابط الدعوة
error-invite-used-up = بلغ رابط الدعوة حد استخدامه
error-handle-taken = هذا @المعرّف مستخدم بالفعل
error-bad-handle = يجب أن يتكون @المعرّف من 3 إلى 32 حرفًا من a-z و0-9 و_ وأن يبدأ بحرف
error-owner-stays = لا يمكن إزالة المالك أو حظره أو تخفيض دوره
error-bad-target = هذه الرسالة لم تعد موجودة
error-bad-reaction = هذا التفاعل ليس من التفاعلات المتاحة
error-not-found = غير موجود
error-slow-down = محاولات كثيرة جدًا. انتظر قليلًا ثم حاول مرة أخرى
error-blocked = لا يمكنك مراسلة هذا الشخص
error-too-broad = هذا البحث يستغرق وقتًا طويلًا: أضف كلمات أو ابحث في محادثة واحدة
error-file-too-large = الملف كبير جدًا (حتى 4 غيغابايت)
error-quota-exceeded = لا توجد مساحة كافية لهذا الملف
error-offset-mismatch = اختل تزامن الرفع؛ سيُستأنف
error-bad-file = لا يمكن إرسال هذا الملف
error-no-call = انتهت هذه المكالمة
error-in-call = أنت في مكالمة بالفعل
error-call-crossed = هذا الشخص يتصل بك
error-internal = خطأ داخلي

## Everyday messaging: search, forwarding, receipts, presence, timers

search-in-chat = البحث في هذه المحادثة
search-results = نتائج البحث
search-none = لم يُعثر على شيء
search-offline = غير متصل: رسائل هذا الجهاز فقط
forward = إعادة توجيه
forward-to = إعادة توجيه إلى…
forwarded-from = أُعيد توجيهها من { $name }
cancel = إلغاء
delete-for-me = حذف لديّ
delete-for-everyone = حذف لدى الجميع
read = مقروءة
delivered = سُلِّمت
seen-by = شاهدها { $names }
seen-by-nobody = لم تُشاهَد بعد
reaction-by = { $emoji } { $n }، من { $names }
reaction-count = { $emoji } { $n }
disappears = تختفي عند انتهاء مؤقّتها
typing = { $names } يكتب…
online = متصل الآن
last-seen = آخر ظهور { $time }
last-seen-yesterday = آخر ظهور أمس { $time }
last-seen-on = آخر ظهور { $date }
last-seen-recently = آخر ظهور مؤخرًا
hide-last-seen = إخفاء آخر ظهور لي
chat-options = خيارات المحادثة
jump-to-date = الانتقال إلى تاريخ
jump-to-newest = الانتقال إلى أحدث رسالة
no-messages-since = لا رسائل منذ ذلك اليوم
auto-delete = الحذف التلقائي للرسائل
timer-off = متوقف
timer-day = بعد يوم واحد
timer-week = بعد أسبوع واحد
timer-month = بعد شهر واحد
timer-custom = مخصص…
timer-hours = الساعات
timer-set = تعيين
unread-messages = رسائل غير مقروءة
loading-older = جارٍ تحميل الرسائل الأقدم…
schedule-message = جدولة رسالة

## Files
attach = إرفاق ملفات
attachments = ملفات للإرسال
upload-done = تم الرفع
upload-cancelled = أُلغي
upload-paused = متوقف مؤقتًا
upload-progress = { $sent } من { $size }
upload-resume = استئناف الرفع
upload-pause = إيقاف الرفع مؤقتًا
upload-cancel = إلغاء الرفع
upload-interrupted = توقف: اختر الملف مرة أخرى للمتابعة
upload-choose-again = اختيار الملف
upload-interrupted-files = توقف الرفع: اختر الملفات مرة أخرى لإرسالها
upload-choose-files = اختيار الملفات
send-as-files = إرسال كملفات بلا ضغط
delete-unsent = حذف
voice-message = رسالة صوتية، { $duration }
round-video = رسالة فيديو
media-photo = صورة
media-video = فيديو
media-album = ألبوم
media-file = ملف: { $name }
media-voice = رسالة صوتية
open-photo = فتح الصورة
photo-viewer = عارض الصور
zoom-in = تكبير
download = تنزيل
previous-photo = الصورة السابقة
next-photo = الصورة التالية
record-voice = تسجيل رسالة صوتية
record-round = تسجيل رسالة فيديو
recording-voice = جارٍ تسجيل رسالة صوتية
recording-round = جارٍ تسجيل رسالة فيديو
record-cancel = إلغاء
record-slide-cancel = › اسحب للإلغاء
record-send = إرسال
record-failed = الميكروفون أو الكاميرا غير متاحين
voice-play = تشغيل
voice-pause = إيقاف مؤقت
voice-speed = سرعة التشغيل
voice-position = الموضع
voice-unheard = لم يُستمع إليها بعد
schedule-at = الإرسال في
schedule = جدولة
scheduled-messages = الرسائل المجدولة
scheduled-count = { $n ->
    [zero] لا رسائل مجدولة
    [one] رسالة مجدولة واحدة
    [two] رسالتان مجدولتان
    [few] { $n } رسائل مجدولة
    [many] { $n } رسالة مجدولة
   *[other] { $n } رسالة مجدولة
}
draft-label = مسودة:
cancel-scheduled = إلغاء الرسالة المجدولة

## Organising chats: folders, pin, mute, archive, mentions

folders = المجلدات
folder-all = الكل
folder-unread = غير المقروءة
folder-personal = الشخصية
folder-groups = المجموعات
folder-channels = القنوات
folder-archived = الأرشيف
edit-folders = تعديل المجلدات
new-folder = مجلد جديد
delete-folder = حذف
folder-name = اسم المجلد
folder-include = تضمين
folder-skip-muted = استبعاد المحادثات المكتومة
folder-skip-read = استبعاد المحادثات المقروءة
folder-chats = المحادثات
folder-by-kind = حسب القواعد أعلاه
folder-always = دائمًا
folder-never = أبدًا
done = تم
pinned-chat = مثبّتة
muted = مكتومة
mentioned = تمت الإشارة إليك
pin-chat = التثبيت في الأعلى
mute-chat = كتم
archive-chat = أرشفة
accounts = الحسابات
add-account = إضافة حساب
back-to-account = العودة إلى حسابي
notifications = إشعارات الرسائل الجديدة

# Blocking a person, leaving a group or channel
block-user = حظر
unblock-user = إلغاء الحظر
blocked-note = لقد حظرت هذا الشخص: لا يمكنه مراسلتك.
leave-group = مغادرة المجموعة
leave-channel = مغادرة القناة

# Devices (each sign-in) and the password, in Preferences
devices = الأجهزة
device-this = هذا الجهاز
device-seen = آخر ظهور { $time }
device-unnamed = جهاز غير معروف
device-name = اسم الجهاز
device-rename = إعادة التسمية
device-end = تسجيل الخروج
device-end-named = تسجيل الخروج: { $name }
password-change = تغيير كلمة المرور
password-old = كلمة المرور الحالية
password-new = كلمة المرور الجديدة
password-changed = تم تغيير كلمة المرور. تم تسجيل خروج أجهزتك الأخرى.
password-wrong = كلمة المرور الحالية خاطئة

# Starting chats and the one search box.
new-chat = محادثة جديدة
new-private-chat = محادثة خاصة جديدة
new-group = مجموعة جديدة
new-channel = قناة جديدة
search-people = ابحث عن أشخاص بالاسم أو ‎@اسم المستخدم
group-name = اسم المجموعة
channel-name = اسم القناة
next = التالي
create = إنشاء
add-people = إضافة أشخاص
search = بحث
section-people = الأشخاص
section-public = المجموعات والقنوات العامة

call-voice = مكالمة، { $duration }
call-video = مكالمة فيديو، { $duration }
call-missed = مكالمة فائتة
call-declined = مكالمة مرفوضة
call-busy = مكالمة: الخط مشغول
call-cancelled = مكالمة ملغاة
call = مكالمة
call-voice-start = مكالمة صوتية
call-video-start = مكالمة فيديو
call-calling = جارٍ الاتصال…
call-ringing = يرن…
call-incoming-voice = مكالمة واردة
call-incoming-video = مكالمة فيديو واردة
call-connecting = جارٍ التوصيل…
call-ended = انتهت المكالمة
call-failed = تعذر استمرار المكالمة
call-no-media = الميكروفون أو الكاميرا غير متاحة
call-accept = رد
call-decline = رفض
call-hang-up = إنهاء
call-mute = كتم الصوت
call-camera-off = إيقاف الكاميرا
call-info = معلومات المكالمة
call-their-video = فيديو الطرف الآخر
call-my-video = الفيديو الخاص بك
call-info-codecs = الترميزات
call-info-bitrate = معدل البت الوارد
call-info-lost = الحزم المفقودة
call-info-jitter = تأخير مخزن الارتعاش
call-info-path = الاتصال
call-info-frames = إطارات الفيديو المفكوكة
call-info-energy = طاقة الصوت المستلم
call-minimise = تصغير
call-devices = الأجهزة
call-device-microphone = الميكروفون
call-device-camera = الكاميرا
call-device-speaker = مكبر الصوت
call-device-unnamed = جهاز { $n }
call-quality-good = الاتصال: جيد
call-quality-fair = الاتصال: متوسط
call-quality-poor = الاتصال: ضعيف
group-call = دردشة فيديو
group-call-start = بدء دردشة فيديو
group-call-join = انضمام
group-call-join-label = الانضمام إلى دردشة الفيديو
group-call-going = دردشة فيديو · { $n ->
    [zero] لا مشاركين
    [one] مشارك واحد
    [two] مشاركان
    [few] { $n } مشاركين
    [many] { $n } مشاركًا
   *[other] { $n } مشارك
}
group-call-count = { $n ->
    [zero] لا مشاركين
    [one] مشارك واحد
    [two] مشاركان
    [few] { $n } مشاركين
    [many] { $n } مشاركًا
   *[other] { $n } مشارك
}
group-call-joining = جارٍ الانضمام…
group-call-leave = مغادرة
group-call-camera = الكاميرا
group-call-screen = مشاركة الشاشة
group-call-hand = رفع اليد
group-call-you = { $name } (أنت)
group-call-muted = الميكروفون مكتوم
group-call-hand-raised = يد مرفوعة
group-call-speaking = يتحدث
group-call-screen-of = شاشة { $name }
group-call-people = المشاركون
group-call-share-failed = تعذّرت مشاركة الشاشة
