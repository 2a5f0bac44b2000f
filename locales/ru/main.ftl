# Страницы Harbour — русский. Каждый ключ должен быть также в en и uk (это проверяет тест).

## Каркас
skip-to-content = Перейти к содержанию
nav-label = Главное меню
nav-home = Главная
nav-cases = Дела
nav-new-referral = Новое направление
lang-switch = Язык
logout = Выйти
footer-text = Harbour — Национальный механизм перенаправления. Каждое открытие дела записывается в журнал доступа.
yes = Да
no = Нет
continue = Далее
back = Назад
overdue = просрочено

## Вход
login-title = Вход
login-intro = Войдите с адресом электронной почты и паролем, которые вам выдал администратор.
login-email = Адрес электронной почты
login-password = Пароль
login-language = Язык
login-language-saved = Как в прошлый раз
login-submit = Войти
login-logged-out = Вы вышли из системы.
login-error-email-missing = Введите адрес электронной почты.
login-error-password-missing = Введите пароль.

## Ошибки
form-has-errors = Пожалуйста, исправьте следующее:
error-bad-credentials = Неверный адрес электронной почты или пароль.
error-login-expired = Срок действия формы входа истёк. Попробуйте ещё раз.
error-csrf = Срок действия этой формы истёк, или она отправлена не из Harbour. Вернитесь, обновите страницу и попробуйте ещё раз.
error-forbidden = Ваша роль этого не позволяет.
error-not-found-title = Не найдено
error-not-found = Такой страницы нет, или у вас нет права её видеть.
error-conflict = Кто-то изменил это дело одновременно с вами. Обновите страницу и попробуйте ещё раз.
error-illegal-transition = Это действие невозможно при текущем статусе дела.
error-consent-required = Совершеннолетнего человека можно направить только с его информированного согласия. Без согласия его можно только анонимно учесть.
error-recovery-not-over = Окончательное решение нельзя принять до окончания периода восстановления { $date }, если человек не просит о досрочном решении.
error-internal = В Harbour произошла ошибка. Ничего не сохранено. Попробуйте ещё раз.

## Главная
home-queue-title = Ожидают решения
home-queue-intro = Дела, ожидающие решения о наличии обоснованных оснований или окончательного решения: сначала просроченные, затем самые давние.
home-queue-count = { $count ->
    [0] Ни одно дело не ожидает
    [one] Ожидает { $count } дело
    [few] Ожидают { $count } дела
   *[other] Ожидают { $count } дел
}
home-more = Есть ещё дела: откройте список дел.
home-caseload-title = Мои дела
home-caseload-intro = Дела, с которыми работает ваша организация. Дела с оповещениями показаны первыми.
home-needs-attention = Требуют внимания
home-other-cases = Другие дела
home-responder-title = Направления
home-responder-intro = Направьте человека, который, по вашему мнению, может быть пострадавшим от торговли людьми. Ребёнок или человек, который может быть ребёнком, защищён как ребёнок.
home-recent-referrals = Последние направления
home-admin-title = Администрирование
home-admin-intro = Администраторы управляют организациями и пользователями и не могут читать дела.
home-auditor-title = Аудит
home-auditor-intro = Аудиторы видят, кто открывал каждое дело, но не могут читать дела.
home-other-title = Добро пожаловать
home-other-intro = Для вашей роли нет страниц дел. Статистика здесь пока недоступна.

## Списки дел
cases-title = Дела
cases-none = Дел нет.
cases-next = Следующая страница
cases-referred-on = направлено { $date }
filter-status = Статус
filter-minority = Ребёнок или взрослый
filter-overdue = Только просроченные
filter-any = Любой
filter-apply = Показать

## Статус, несовершеннолетие, оповещения
status-awaiting_reasonable_grounds = Ожидает решения об обоснованных основаниях
status-recovery_period = Период восстановления
status-awaiting_conclusive_grounds = Ожидает окончательного решения
status-identified = Признан(а) пострадавшим(ей)
status-not_identified = Не признан(а) пострадавшим(ей)
status-disqualified = Защита прекращена
status-closed = Закрыто
minority-child = Ребёнок
minority-adult = Взрослый
minority-presumed_child = Предположительно ребёнок
minority-presumed-note = Возраст не установлен: до оценки возраста человек считается ребёнком.
minority-child-note = Действуют все гарантии защиты детей.
alert-guardian_missing = Опекун не назначен
alert-age_assessment_pending = Ожидается оценка возраста
alert-reasonable_grounds_overdue = Решение об обоснованных основаниях просрочено
alert-recovery_period_ending = Период восстановления скоро закончится
alert-conclusive_grounds_due = Наступил срок окончательного решения
alert-move_on_period_ending = Период поддержки после признания скоро закончится

## Страница дела
case-title = Дело { $reference }
person-title = Человек
person-name = Имя
person-sex = Пол
person-birth = Дата рождения или возраст
person-nationality = Гражданство
person-stateless = Лицо без гражданства
person-languages = Язык
person-unaccompanied = Без сопровождения
case-exploitation = Формы эксплуатации
case-referred = Направлено
case-consent = Согласие на направление
case-status = Статус и сроки
case-summary = Что произошло
alerts-title = Оповещения
deadlines-title = Сроки
due-on = срок { $date }
due-today = срок сегодня
days-left = { $days ->
    [one] остался { $days } день
    [few] осталось { $days } дня
   *[other] осталось { $days } дней
}
days-overdue = { $days ->
    [one] просрочено на { $days } день
    [few] просрочено на { $days } дня
   *[other] просрочено на { $days } дней
}
hours-left = { $hours ->
    [one] остался { $hours } час
    [few] осталось { $hours } часа
   *[other] осталось { $hours } часов
}
hours-overdue = { $hours ->
    [one] просрочено на { $hours } час
    [few] просрочено на { $hours } часа
   *[other] просрочено на { $hours } часов
}
deadline-rg = Решение об обоснованных основаниях
deadline-recovery-end = Период восстановления заканчивается
deadline-move-on-end = Поддержка после признания заканчивается
deadline-guardian = Назначение опекуна
birth-year = { $year } года рождения
birth-estimated = предполагаемый возраст { $min }–{ $max } (на { $on })
birth-unknown = неизвестно
safeguards-title = Гарантии защиты ребёнка
safeguard-guardian = Опекун
safeguard-guardian-appointed = Назначен
safeguard-guardian-missing = Не назначен — срок до { $due }
safeguard-age = Оценка возраста
safeguard-age-pending = Ожидается: до тех пор считать ребёнком
safeguard-unaccompanied = Без сопровождения
safeguard-consent = Согласие
safeguard-consent-text = Для направления и защиты ребёнка согласие не требуется.
safeguard-views = Мнение ребёнка
timeline-title = Хронология
timeline-reasons = Основания: { $reasons }
timeline-method = Способ: { $method }
timeline-forms = Формы эксплуатации: { $forms }
timeline-recovery-period = Период восстановления с { $start } по { $end }
screening-indicated = Есть признаки торговли людьми (это признак, а не решение)
screening-not-indicated = Этот скрининг не выявил признаков торговли людьми

## События
event-referral_received = Получено направление
event-reasonable_grounds_decided = Решение об обоснованных основаниях
event-conclusive_grounds_decided = Окончательное решение
event-age_assessed = Проведена оценка возраста
event-disqualified = Защита прекращена
event-reconsideration_requested = Подан запрос на пересмотр
event-early_conclusive_decision_requested = Подан запрос на досрочное окончательное решение
event-guardian_appointed = Назначен опекун
event-case_closed = Дело закрыто
event-screening_recorded = Записан скрининг
event-referral_attached = Добавлено ещё одно направление

guardian-title = Назначить опекуна
guardian-select = Опекун
guardian-submit = Назначить этого опекуна
guardian-appointed = Опекун назначен.
guardian-none-available = Нет ни одной активной учётной записи опекуна. Попросите администратора её добавить.
guardian-error = Выберите активного опекуна.

## Решения
actions-title = Решения
decide-rg-title = Решение об обоснованных основаниях
decide-rg-hint = Есть ли обоснованные основания считать этого человека пострадавшим от торговли людьми? Положительное решение открывает период восстановления.
decide-cg-title = Окончательное решение
decide-cg-hint = Является ли этот человек, скорее всего, пострадавшим от торговли людьми?
decide-age-title = Оценка возраста
decide-age-hint = Запишите результат оценки возраста. До тех пор человек считается ребёнком.
decide-outcome = Решение
decide-method = Как оценивали возраст?
decide-reasons = Основания
decide-reasons-hint = Обязательно. Основания хранятся в деле; их могут прочитать сам человек и его представитель.
decide-submit = Записать решение
decide-error-outcome = Выберите решение.
decide-error-reasons = Напишите основания решения.
decide-error-method = Укажите, как оценивали возраст.
decision-recorded = Решение записано.
outcome-positive = Положительное
outcome-negative = Отрицательное
outcome-child = Ребёнок (до 18 лет)
outcome-adult = Взрослый
decide-dq-title = Лишение защиты (дисквалификация)
decide-dq-hint = Прекращает защиту по соображениям общественного порядка или из-за неправомерного заявления о статусе пострадавшего лица (ст. 13(3) Конвенции). Основания записываются.
outcome-public-order = Общественный порядок
outcome-bad-faith = Недобросовестность: статус пострадавшего лица заявлен неправомерно

## Новое направление
referral-title = Новое направление
step-of = Шаг { $n } из 4
step-person = Человек
step-screen = Скрининг
step-consent = Согласие и обстоятельства
step-review = Проверка и направление
person-names-hint = Пишите имена точно так, как их пишет сам человек или его документ, любым алфавитом.
person-given = Имя
person-family = Фамилия
person-patronymic = Отчество (если есть)
person-birth-hint = Если вы не уверены, что человек совершеннолетний, выберите «возраст не установлен»: тогда Harbour защищает его как ребёнка до оценки возраста.
person-birth-uncertain = Возраст не установлен: укажите примерный
person-age-min = Наименьший возможный возраст
person-age-max = Наибольший возможный возраст
person-birth-date = Дата рождения известна
person-birth-date-field = Дата рождения
person-birth-year = Известен только год рождения
person-birth-year-field = Год рождения
person-birth-unknown = О возрасте ничего не известно
person-nationality-hint = Двухбуквенный код страны, например UA, MD, PL.
person-language-hint = Двухбуквенный код языка, который понимает человек, например uk, ru, en.
person-separated = Разлучён(а) с родителями или привычными опекунами
person-error-name = Укажите имя или фамилию.
person-error-date = Укажите настоящую дату рождения.
person-error-year = Укажите год рождения от 1900 до текущего.
person-error-age = Укажите наименьший и наибольший возможный возраст числами от 0 до 120, сначала наименьший.
person-error-birth = Проверьте дату рождения или возраст: они не могут быть в будущем.
person-error-nationality = Укажите двухбуквенный код страны, например UA.
person-error-language = Укажите двух- или трёхбуквенный код языка, например uk.
screen-as = Скрининг как для: { $minority }
screen-quick-title = Быстрый скрининг
screen-quick-hint = Отметьте каждый тревожный признак, который вы заметили. Затем проверьте результат или продолжайте без скрининга.
screen-quick-check = Проверить тревожные признаки
screen-use-full = Вместо этого провести полный скрининг по индикаторам
screen-use-quick = Вместо этого провести быстрый скрининг
screen-list = Перечень индикаторов
screen-show-list = Показать этот перечень
screen-evaluate = Оценить индикаторы
screen-result = Результат
screen-recorded = Этот скрининг будет записан в деле.
screen-error = Не удалось оценить скрининг: выберите перечень ещё раз.
consent-child-note = Для направления ребёнка или человека, который может быть ребёнком, согласие не требуется. Запишите мнение самого ребёнка.
consent-child-views = Мнение ребёнка
consent-child-views-hint = Чего хочет ребёнок, его собственными словами.
consent-given = Человек проинформирован и согласен на это направление
consent-hint = Без согласия совершеннолетнего направить нельзя.
consent-informed-in = Язык, на котором человека проинформировали (код, например ru)
consent-error-text = Этот текст слишком длинный.
review-minority = Считается
referral-submit = Направить
referral-created = Направление сделано, дело открыто.
referral-attached = Направление добавлено к существующему делу.
duplicate-title = Возможно, у этого человека уже есть дело
duplicate-intro = Дело, которое вы видите, имеет такое же имя и совместимый возраст. Если это тот же человек, добавьте это направление к тому делу, чтобы его не расспрашивали обо всём заново.
duplicate-attach = Добавить к этому делу
duplicate-confirm = Это другой человек: открыть новое дело

## Роли
role-first_responder = Первый контакт
role-decision_maker = Лицо, принимающее решения
role-case_worker = Специалист по ведению случая
role-child_protection_officer = Специалист службы защиты детей
role-guardian = Опекун
role-service_provider = Поставщик услуг
role-law_enforcement = Правоохранительный орган
role-coordinator = Национальный координатор
role-auditor = Аудитор
role-admin = Администратор

## Виды организаций
org-kind-police = Полиция
org-kind-border_guard = Пограничная служба
org-kind-labour_inspectorate = Инспекция труда
org-kind-ngo = Общественная организация
org-kind-shelter = Приют
org-kind-child_protection = Служба защиты детей
org-kind-competent_authority = Компетентный орган
org-kind-guardianship_authority = Орган опеки и попечительства
org-kind-health = Учреждение здравоохранения
org-kind-legal_aid = Правовая помощь
org-kind-prosecutor = Прокуратура
org-kind-reception_centre = Центр приёма
org-kind-national_coordinator = Национальный координатор
org-kind-other = Другое

## Формы эксплуатации
form-sexual = Сексуальная эксплуатация
form-forced_labour = Принудительный труд
form-domestic_servitude = Домашнее рабство
form-forced_begging = Принудительное попрошайничество
form-forced_criminality = Принуждение к преступной деятельности
form-organ_removal = Изъятие органов
form-forced_marriage = Принудительный брак
form-illegal_adoption = Незаконное усыновление
form-surrogacy_exploitation = Эксплуатация суррогатного материнства
form-armed_recruitment = Вербовка в вооружённые формирования
form-online_sexual_exploitation = Сексуальная эксплуатация в интернете
form-other = Другое
form-unknown = Пока неизвестно

## Пол
sex-female = Женский
sex-male = Мужской
sex-other = Другой
sex-unknown = Неизвестно

## Месяцы (родительный падеж в датах; именительный отдельно)
month-1 = января
month-2 = февраля
month-3 = марта
month-4 = апреля
month-5 = мая
month-6 = июня
month-7 = июля
month-8 = августа
month-9 = сентября
month-10 = октября
month-11 = ноября
month-12 = декабря
month-nom-1 = январь
month-nom-2 = февраль
month-nom-3 = март
month-nom-4 = апрель
month-nom-5 = май
month-nom-6 = июнь
month-nom-7 = июль
month-nom-8 = август
month-nom-9 = сентябрь
month-nom-10 = октябрь
month-nom-11 = ноябрь
month-nom-12 = декабрь

## Администрирование и аудит
nav-admin = Администрирование
nav-audit = Журнал доступа
admin-title = Организации и пользователи
admin-added = Добавлено.
admin-organisations = Организации
admin-users = Пользователи
admin-add-org = Добавить организацию
admin-add-user = Добавить пользователя
admin-org-name = Название организации
admin-org-kind = Вид организации
admin-user-org = Организация
admin-user-role = Роль
admin-user-password = Первоначальный пароль
admin-password-hint = Не менее 12 символов. Передайте его человеку безопасным способом.
admin-inactive = неактивен
admin-user-count = { $count ->
    [one] { $count } пользователь
    [few] { $count } пользователя
   *[other] { $count } пользователей
}
admin-error-name = Укажите название от 1 до 200 символов.
admin-error-kind = Выберите вид организации.
admin-error-email = Укажите правильный адрес электронной почты.
admin-error-password = Пароль должен содержать не менее 12 символов.
admin-error-role = Выберите роль, подходящую организации: лица, принимающие решения, относятся к компетентному органу.
admin-error-org = Выберите организацию.
admin-error-exists = Пользователь с таким адресом электронной почты уже существует.
audit-title = Журнал доступа к делу
audit-intro = Кто, когда и зачем открывал или изменял дело. Вы видите журнал, но не само дело.
audit-case-id = Номер дела (полный идентификатор)
audit-show = Показать журнал
audit-count = { $count ->
    [one] { $count } запись
    [few] { $count } записи
   *[other] { $count } записей
}
audit-purpose = Цель: { $purpose }

## Закрытие
closure-title = Закрыть дело
closure-open = Закрыть это дело…
closure-reason = Почему дело закрыто?
closure-notes = Примечания (по желанию)
closure-submit = Закрыть дело
closure-done = Дело закрыто.
closure-error-reason = Выберите, почему дело закрыто.
closure-support_completed = Поддержка завершена
closure-person_withdrew = Человек отказался
closure-left_country = Человек уехал из страны
closure-lost_contact = Связь потеряна
closure-transferred = Передано в другое учреждение
closure-duplicate = Дубликат другого дела
closure-deceased = Человек умер
closure-other = Другая причина

## Обращения
requests-title = Обращения от имени человека
request-reconsideration-title = Попросить пересмотреть отрицательное решение
request-reconsideration-hint = Например, когда появились новые сведения. Лицо, принимающее решения, увидит это обращение.
request-early-title = Человек просит принять окончательное решение сейчас
request-early-hint = Человек может попросить об окончательном решении до окончания периода восстановления.
request-submit = Записать обращение
request-recorded = Обращение записано.

## Анонимное уведомление
notify-title = Учесть без идентификации
notify-intro = Совершеннолетнего человека, который не соглашается на направление, всё равно можно учесть, чтобы торговля людьми была видна в статистике. Здесь нет ничего, что идентифицирует человека, и дело не открывается.
notify-link = Вместо этого учесть человека анонимно.
notify-age = Возрастная группа
notify-age-unknown = Неизвестно
notify-child-hint = Ребёнка или человека, который может быть ребёнком, всегда направляют: воспользуйтесь «Новым направлением».
notify-region = Регион (по желанию)
notify-submit = Учесть анонимно
notify-done = Учтено. Ничего, что идентифицирует человека, не записано.
notify-error-age = Ребёнка направляют, а не только учитывают: воспользуйтесь «Новым направлением».
notify-error-region = Название региона должно содержать от 1 до 100 символов.

## Защита данных (удаление, доступность базы данных)
error-erased = Это дело удалено: его содержание больше нельзя прочитать. Запись о том, что оно существовало и было удалено, сохраняется.
error-unavailable = База данных сейчас недоступна. Ничего не изменено; попробуйте ещё раз через минуту.
## Поддержка, права и правосудие (issue 5)
right-information = Информация о правах на понятном языке
right-interpretation = Письменный и устный перевод
right-accommodation = Безопасное жильё и материальная помощь
right-psychological_assistance = Психологическая помощь
right-medical_treatment = Неотложная и необходимая медицинская помощь
right-legal_assistance = Юридические консультации, помощь и бесплатная правовая помощь
right-recovery_period = Период восстановления и размышления
right-residence_permit = Продлеваемый вид на жительство
right-compensation = Компенсация
right-non_punishment = Освобождение от наказания
right-privacy = Защита частной жизни и личности
right-protection_from_intimidation = Защита от запугивания
right-labour_market_education = Доступ к работе, профессиональному обучению и образованию
right-education_child = Образование для ребёнка
right-safe_return = Безопасное, предпочтительно добровольное возвращение
right-assistance_unconditional = Помощь без условия сотрудничества
right-informed_consent = Информированное согласие на услуги
right-guardian = Опекун без промедления
right-best_interests_assessment = Оценка наилучших интересов ребёнка
right-status-not_yet_informed = Ещё не проинформирован
right-status-informed = Проинформирован
right-status-requested = Запрошено
right-status-granted = Предоставлено
right-status-refused = Отказано
right-status-waived = Человек отказался
right-status-not_applicable = Не применяется
service-kind-accommodation = Безопасное жильё
service-kind-emergency_medical = Неотложная медицинская помощь
service-kind-psychological = Психологическая поддержка
service-kind-legal_counselling = Юридические консультации
service-kind-legal_aid = Правовая помощь
service-kind-interpretation = Устный перевод
service-kind-material_assistance = Материальная помощь
service-kind-education = Образование
service-kind-vocational_training = Профессиональное обучение
service-kind-employment = Трудоустройство
service-kind-family_tracing = Розыск семьи
service-kind-return_reintegration = Помощь в возвращении и реинтеграции
service-kind-child_care = Специальная помощь детям
referral-status-referred = Направлено, ждёт ответа поставщика
referral-status-accepted = Принято
referral-status-declined = Отклонено
referral-status-started = Начато
referral-status-completed = Завершено
referral-status-withdrawn = Отозвано
cooperation-cooperating = Сотрудничает с органами власти
cooperation-declined = Отказался сотрудничать
cooperation-undecided = Ещё не решил
solution-integration = Интеграция
solution-return = Добровольное возвращение
solution-resettlement = Переселение
bi-kind-assessment = Оценка наилучших интересов
bi-kind-determination = Определение наилучших интересов
handover-kind-assign = Поручено внутри организации
handover-kind-transfer = Передано другой организации
handover-kind-refer = Открыт доступ другой организации
closure-integrated = Интегрирован
closure-returned = Вернулся
closure-transferred_abroad = Передан за границу
closure-declined_further_support = Отказался от дальнейшей поддержки
closure-not_identified = Не идентифицирован
event-right_recorded = Записано право
event-needs_assessed = Оценены потребности
event-service_referred = Направлен в службу
event-service_referral_updated = Обновлено направление в службу
event-guardian_named = Назначен опекун
event-best_interests_recorded = Записаны наилучшие интересы
event-family_tracing_requested = Розыск семьи
event-transition_plan_recorded = План перехода во взрослую жизнь
event-justice_recorded = Записаны правосудие и возмещение
event-durable_solution_chosen = Принято долгосрочное решение
event-follow_up_recorded = Последующий контакт
event-handover_recorded = Передача дела
event-transfer_answered = Ответ на передачу
## Family tracing (tracing requests, candidates, consent)
event-family_tracing_consent_recorded = Записано согласие на розыск семьи
tracing-consent-given = Человек согласен на розыск семьи.
tracing-consent-withdrawn = Человек не согласен на розыск семьи.
nav-tracing = Розыск семьи
tracing-title = Розыск семьи
tracing-intro = Родственник, который ищет пропавшего человека, чаще всего ребёнка, подаёт запрос на розыск через вашу организацию. Harbour ищет среди дел, в которых розыск разрешён, и показывает кандидатов для проверки сотрудником службы по делам детей.
tracing-list-title = Запросы вашей организации
tracing-none = Запросов на розыск пока нет.
tracing-new-title = Новый запрос на розыск
tracing-new-intro = Запишите имена так, как их пишет семья, любым алфавитом; уменьшительные имена и другое написание помогают. Другим организациям видно только то, что запрос существует.
tracing-sought = Кого ищут
tracing-names-hint = Хотя бы имя или фамилия, любым алфавитом (например, Сашко).
tracing-given2 = Другое написание: имя
tracing-family2 = Другое написание: фамилия
tracing-birth-year = Год рождения, если известен
tracing-age = Или: возраст сейчас, примерно
tracing-age-hint = В годах. Оставьте пустым, если год рождения известен.
tracing-place = Место рождения или где видели в последний раз
tracing-mother = Имя матери
tracing-father = Имя отца
tracing-requester = Кто обращается
tracing-relationship = Кем приходится разыскиваемому
tracing-requester-name = Имя заявителя (необязательно)
tracing-contact = Как ваша организация свяжется с заявителем
tracing-contact-hint = Видит только ваша организация.
tracing-basis = Правовое основание розыска
tracing-basis-hint = Ребёнка ищут на основании полномочий по защите детей, не дожидаясь согласия.
tracing-notes = Примечания (необязательно)
tracing-submit = Подать запрос
tracing-filed = Запрос подан, розыск ведётся.
tracing-withdrawn = Запрос отозван, розыск прекращён.
tracing-filed-on = Подан { $date }
tracing-request-title = Запрос на розыск
tracing-birth = Рождение
tracing-candidates-title = Возможные совпадения
tracing-no-candidates = Сейчас возможных совпадений нет.
tracing-verify-hint = Это кандидаты, а не совпадения: проверьте с семьёй и ребёнком, прежде чем что-либо раскрывать.
tracing-withdraw-title = Отозвать запрос
tracing-withdraw-hint = Когда заявитель отзывает запрос или своё согласие. Розыск прекращается сразу.
tracing-withdraw-submit = Отозвать
tracing-case-title = Запросы на розыск, которые могут касаться этого человека
tracing-case-basis-mandate = Розыск на основании полномочий по защите детей.
tracing-case-basis-consent = Розыск с согласия человека на розыск семьи.
tracing-case-not-searched = Розыск не ведётся: человек не дал согласия на розыск семьи.
tracing-request-by = Запрос подала организация { $org }
tracing-probability = Совпадение { $percent } %
tracing-field-given-name = Имя
tracing-field-surname = Фамилия
tracing-field-birth = Рождение
tracing-field-sex = Пол
tracing-field-place = Место
tracing-field-parents = Имена родителей
tracing-level-same = одинаковое
tracing-level-lexicon = то же имя в другой форме (уменьшительная, русская или украинская форма)
tracing-level-sex-form = та же фамилия в другой родовой форме
tracing-level-similar = очень похожее написание
tracing-level-somewhat = отчасти похожее написание
tracing-level-exact = точно совпадает
tracing-level-typo = отличается одна цифра или переставлены день и месяц
tracing-level-year-month = совпадают год и месяц
tracing-level-year = совпадает год
tracing-level-estimate = в пределах года или оценки возраста
tracing-level-different = разное
tracing-basis-consent-of-requester = Согласие заявителя
tracing-basis-child-protection-mandate = Полномочия по защите детей (ищут ребёнка)
tracing-basis-court-order = Решение суда
tracing-status-open = Открыт
tracing-status-matched = Найден
tracing-status-closed = Закрыт
tracing-status-withdrawn = Отозван
tracing-relationship-mother = Мать
tracing-relationship-father = Отец
tracing-relationship-grandparent = Дедушка или бабушка
tracing-relationship-sibling = Брат или сестра
tracing-relationship-other-relative = Другой родственник
tracing-relationship-legal-guardian = Законный опекун
tracing-error-year = Укажите год рождения, например 2015.
tracing-error-age = Укажите возраст в годах, например 9.
tracing-error-relationship = Выберите, кем заявитель приходится разыскиваемому.
tracing-error-basis = Выберите правовое основание розыска.
tracing-error-names = Укажите хотя бы имя или фамилию разыскиваемого.
tracing-error-birth = Дата рождения не может быть в будущем.
tracing-error-mandate = Полномочия по защите детей касаются только ребёнка; для взрослого выберите согласие или решение суда.
tracing-error-contact = Укажите, как ваша организация свяжется с заявителем.
tracing-error-text = Текст пустой или слишком длинный; проверьте поля.
tracing-filed-label = Подан
tracing-consent-label = Человек также согласен на розыск семьи
tracing-consent-hint = Тогда родственникам, которые ищут человека, могут сообщить о возможном совпадении. Без этого согласия дело взрослого никогда не включают в розыск семьи.
nav-service-referrals = Направления в службы
support-recorded = Записано.
support-not-recorded = Ещё не записано
support-error-reason = Для отказа в праве нужна его причина.
support-error-child-views = Запишите мнение самого ребёнка.
support-error-invalid = Некоторые ответы отсутствуют или неверны; проверьте форму.
support-rights-title = Права, услуги и правосудие
support-rights-overdue = { $count ->
    [one] { $count } право уже положено, но не обеспечено
    [few] { $count } права уже положены, но не обеспечены
   *[other] { $count } прав уже положены, но не обеспечены
}
support-right-open = Записать состояние права
support-right = Право
support-status = Состояние
support-reason = Причина (нужна при отказе)
support-reason-hint = Кто отказал и почему, как написано в решении.
support-right-submit = Записать
support-services-title = Потребности и услуги
support-no-needs = Потребности ещё не оценены.
support-needs = Потребности
support-referred-on = направлено { $date }
support-accepted-on = принято { $date }
support-best-interests-title = Наилучшие интересы ребёнка
support-best-interests-open = Записать оценку или определение
support-bi-kind = Вид
support-bi-conclusion = Вывод
support-bi-submit = Записать
support-justice-title = Правосудие и возмещение
support-cooperation = Сотрудничество с органами власти
support-durable-solution = Долгосрочное решение
support-unconditional = Поддержка никогда не зависит от сотрудничества (ст. 12(6) Конвенции).
support-cooperation-submit = Записать выбор человека
provider-inbox-title = Направления в службы
provider-inbox-intro = Направления в службы вашей организации. Вы видите то, что нужно службе, а не дело.
provider-inbox-empty = Направлений пока нет.
provider-referral-title = Направление в службу { $reference }
provider-need-to-know = Показано только то, что нужно этой службе.
provider-need = Потребность
provider-minority = Возрастная группа
provider-languages = Языки
provider-consent = Согласие на эту услугу
provider-referred = Направлено
provider-need-notes = Словами человека
provider-priority = Приоритет для человека
provider-accepted = Принято
provider-decline-reason = Причина отказа
provider-steps-title = Ваш ответ
provider-step-accept = Принять
provider-step-start = Начать услугу
provider-step-complete = Завершить услугу
provider-step-decline = Отклонить
provider-step-done = Готово.
provider-error-reason = Укажите, почему направление отклонено.
support-error-consent = Для услуги нужно информированное согласие человека (для ребёнка — согласие опекуна и мнение ребёнка).
support-error-needs = Выберите хотя бы одну потребность.
support-needs-open = Записать оценку потребностей
support-priorities = Что важнее всего для человека, его словами
support-needs-submit = Записать потребности
support-offer = { $kind }: { $name } (свободных мест: { $free })
support-offer-label = Подходящие службы, лучшие первыми
support-informed-consent = Человек проинформирован и согласен на эту услугу
support-guardian-consent = Опекун согласен на эту услугу
support-refer-submit = Направить в эту службу
error-service-unsuitable = Эта служба не может принять направление: нет мест, или она не подходит человеку или потребности.
error-best-interests-determination = Для долгосрочного решения по ребёнку сначала нужно определение наилучших интересов (для возвращения — в пользу возвращения).
error-open-service-referrals = { $count ->
    [one] { $count } принятое направление в службу ещё открыто: укажите, продолжается ли оно после закрытия или отзывается.
    [few] { $count } принятых направления в службы ещё открыты: укажите, продолжаются ли они после закрытия или отзываются.
   *[other] { $count } принятых направлений в службы ещё открыты: укажите, продолжаются ли они после закрытия или отзываются.
}
closure-open-referrals = Принятые направления в службы, которые ещё открыты (если есть)
closure-open-referrals-continue = Поддержка продолжается у поставщика после закрытия
closure-open-referrals-withdraw = Отозвать их вместе с закрытием
## Security: second factor, login throttling, break-glass (secauth)
error-login-throttled = Слишком много неудачных попыток для этой учётной записи или из этого места. Подождите несколько минут и попробуйте снова.
mfa-title = Введите код
mfa-intro = Откройте приложение-аутентификатор на телефоне и введите 6-значный код, который оно показывает для Harbour. Если вы потеряли телефон, введите один из резервных кодов.
mfa-enrol-title = Настройте аутентификатор
mfa-enrol-intro = Ваша учётная запись входит со вторым шагом. Отсканируйте этот QR-код приложением-аутентификатором (например, FreeOTP, Aegis или Google Authenticator), затем введите 6-значный код, который оно покажет.
mfa-enrol-manual = Не получается отсканировать? Введите в приложение этот ключ:
mfa-qr-label = QR-код, чтобы добавить Harbour в приложение-аутентификатор
mfa-code = Код
mfa-code-hint = 6 цифр из приложения или резервный код вида abcde-fghij.
mfa-code-hint-enrol = 6 цифр, которые приложение показывает сейчас.
mfa-submit = Продолжить
mfa-error-code-missing = Введите код из приложения-аутентификатора.
mfa-error-code-wrong = Этот код неверен или уже использован. Дождитесь следующего кода и попробуйте снова.
mfa-recovery-title = Ваши резервные коды
mfa-recovery-intro = Храните эти коды в надёжном месте, отдельно от телефона. Каждый позволяет один раз войти, если вы потеряете телефон. Они показаны только сейчас.
mfa-recovery-continue = Я их сохранил(а): продолжить
break-glass-title = Экстренный доступ
break-glass-intro = Ваша организация не участвует в этом деле. В экстренной ситуации вы можете открыть его на несколько часов. Ваше имя, время и причина записываются и проверяются аудиторами.
break-glass-reason = Почему вам нужно это дело сейчас?
break-glass-reason-hint = Не менее 10 символов. Не пишите имя человека.
break-glass-submit = Открыть дело в экстренном порядке
break-glass-error-reason = Объясните, почему вам нужно это дело сейчас, не менее чем 10 символами (не более 500).
break-glass-offer = Если это экстренная ситуация и дело существует, вы можете запросить экстренный доступ.
break-glass-link = Экстренный доступ
audit-break-glass-title = Экстренный доступ (последние 30 дней)
audit-break-glass-intro = Каждый случай, когда кто-то открыл дело, в котором его организация не участвует, с причиной. Проверьте каждый.
audit-break-glass-none = За последние 30 дней экстренным доступом никто не пользовался.
audit-break-glass-until = до { $until }
audit-break-glass-reason = Причина: { $reason }
# ----- statistics (issue 7) -----
nav-statistics = Статистика
stats-title = Статистика
stats-note = Подсчитано по журналам дел. Ни одно число меньше { $k } не показано ([x] — скрыто, также там, где итог раскрыл бы скрытое число); каждое число округлено вниз до кратного { $resolution }. Данные на { $asof }.
stats-headline = Основные показатели
stats-referrals = Направления
stats-children = Дети на момент эксплуатации
stats-rg-positive = Положительные решения о наличии разумных оснований
stats-cg-positive = Положительные окончательные решения
stats-notifications = Анонимные уведомления
stats-chart-title = Направления по кварталам
stats-chart-desc = Столбчатая диаграмма направлений по кварталам; пунктирная рамка с пометкой x — скрытый квартал.
stats-chart-legend = Пунктирная рамка с пометкой x: слишком мало направлений для публикации.
stats-suppressed = скрыто
stats-not-applicable = н/п
stats-not-applicable-note = н/п — не применимо: такая комбинация невозможна (например, результат до решения или просрочка права без срока), поэтому она равна нулю по определению и никогда не скрывается.
stats-late-title = Просрочено сейчас (только количество)
stats-total = Всего
stats-count = Количество
stats-median = Медиана
stats-p90 = 90-й процентиль
stats-within-target = В установленный срок
stats-measure = Показатель
stats-table-quarter = Направления по кварталам и возрасту на момент эксплуатации
stats-table-form = Направления по формам эксплуатации и возрасту на момент эксплуатации
stats-table-referrer = Направления по виду органа первичного выявления
stats-table-rg = Решения о разумных основаниях по кварталам и результату
stats-table-cg = Окончательные решения по кварталам и результату
stats-table-notifications = Анонимные уведомления по кварталам
stats-table-timeliness = Время от направления до решения и до назначения опекуна ребёнку
stats-age-adult = Взрослый (18+)
stats-age-child = Ребёнок (17 лет и младше)
stats-age-unknown = Не указано
stats-outcome-positive = Положительное
stats-outcome-negative = Отрицательное
stats-outcome-none = Ещё не принято
stats-dim-quarter = Квартал направления
stats-dim-exploitation_form = Форма эксплуатации
stats-dim-referrer_kind = Орган первичного выявления
stats-dim-reasonable_grounds_quarter = Квартал решения
stats-dim-conclusive_grounds_quarter = Квартал решения
stats-unit-days = дн.
stats-unit-hours = ч
stats-measure-reasonable_grounds = Решение о разумных основаниях
stats-measure-conclusive_grounds = Окончательное решение
stats-measure-guardian_appointment = Назначение опекуна
stats-late-reasonable_grounds_overdue = Просроченные решения о разумных основаниях
stats-late-awaiting_conclusive_grounds = Ожидают окончательного решения
stats-late-guardian_not_appointed = Дети без опекуна после истечения срока
stats-late-guardian_appointed_late = Опекуны, назначенные с опозданием

# Second factor: administrator reset and new recovery codes (issue 6)
nav-recovery-codes = Коды восстановления
admin-second-factor-reset = Сбросить второй фактор
admin-second-factor-reset-for = Сбросить второй фактор: { $email }
admin-second-factor-reset-hint = Сбрасывайте второй фактор только после того, как лично или звонком на известный вам номер убедились, кто обращается и что аутентификатор утерян. Все сеансы пользователя завершатся, а при следующем входе он настроит новый аутентификатор. Сброс записывается в журнал доступа.
admin-second-factor-reset-done = Второй фактор сброшен. При следующем входе пользователь настроит новый аутентификатор.
account-recovery-title = Новые коды восстановления
account-recovery-intro = { $count ->
    [one] У вас { $count } неиспользованный код восстановления.
    [few] У вас { $count } неиспользованных кода восстановления.
   *[other] У вас { $count } неиспользованных кодов восстановления.
} Чтобы получить десять новых, подтвердите, что это вы: введите пароль и код, который сейчас показывает приложение-аутентификатор. Все прежние коды перестанут действовать.
account-recovery-submit = Создать новые коды восстановления
account-recovery-error-password = Введите свой текущий пароль.
account-recovery-key-title = Подтвердите ключом безопасности
account-recovery-key-submit = Использовать ключ безопасности и создать новые коды
account-recovery-or-code = Или подтвердите кодом из приложения-аутентификатора
account-recovery-key-needs-javascript = Для подтверждения ключом безопасности нужен JavaScript, а в этом браузере он отключён.
account-recovery-key-required = Ваша организация требует подтверждать действия ключом безопасности: коды для вашей учётной записи не принимаются.
account-recovery-error-key = Ключ безопасности не принят. Введите пароль и попробуйте ещё раз.

# An erased case's page (issue 6)
case-erased-title = Это дело стёрто
case-erased-reference = Дело
case-erased-when = Стёрто
case-erased-why = Почему
case-erased-basis-person-request = По просьбе человека, по решению компетентного органа
case-erased-basis-retention = Истёк срок хранения по национальной политике
case-erased-what = Всё о человеке стёрто: имена, даты рождения, контакты, рассказ о произошедшем, обоснования решений, заметки и скрининги. Ключ уничтожен, поэтому никто больше не сможет это прочитать, даже администратор.
case-erased-kept = Что осталось: этот номер, даты и виды шагов по делу (чтобы запись по-прежнему можно было проверить на подделку) и анонимные подсчёты в статистике.
# Просроченные права в списках, правосудие и возмещение, защита ребёнка, последующие контакты, передача дел
filter-rights-overdue = Только с просроченными правами
cases-rights-overdue = { $count ->
    [one] { $count } право просрочено
    [few] { $count } права просрочены
   *[other] { $count } прав просрочено
}
alert-rights_overdue = Право уже положено, но не обеспечено
support-child-title = Опекун ребёнка, семья и совершеннолетие
support-named-guardian = Опекун (лицо и организация)
support-family-tracing = Розыск семьи
support-family-tracing-yes = Запрошен
support-family-tracing-no = Не запрошен
support-family-tracing-requested = Запрошен розыск семьи
support-family-tracing-submit = Сохранить розыск семьи
support-transition-plan = План перехода во взрослую жизнь
support-transition-needed = Ребёнку исполнилось 18: нужен план перехода во взрослую жизнь.
support-transition-hint = Что продолжается после 18: жильё, передача от опекуна, учёба, проживание.
support-transition-submit = Записать план
support-name-guardian-open = Назначить опекуна (лицо и организация)
support-guardian-name = Имя опекуна
support-guardian-organisation = Организация опекуна
support-name-guardian-submit = Назначить опекуна
support-legal-representative = Юридический представитель
support-proceeding = Производство
support-proceedings = Производства и их стадия
support-proceeding-kind = Вид (уголовное, гражданское, трудовое)
support-proceeding-stage = Стадия (расследование, суд, апелляция, закрыто)
support-protection-measures = Меры защиты
support-one-per-line = По одной в строке.
support-residence-permit = Вид на жительство
support-residence-permits = Заявления на вид на жительство
support-permit-basis = Основание
support-permit-outcome = Результат (подано, выдан, отказано, продлён)
support-permit-applied-on = Дата заявления
support-compensation = Возмещение
support-compensation-hint = Суммы в единицах валюты, например 1500 или 1500.50; валюта трёхбуквенным кодом (EUR, UAH).
support-compensation-from = Возмещение от: { $from }
support-compensation-who = От кого (виновный или государство)
support-claimed = Заявлено
support-awarded = Присуждено
support-paid = Выплачено
support-currency = Валюта
support-non-punishment = Ненаказание
support-np-requested = Запрошено
support-np-not_requested = Не запрошено
support-np-outcome = Результат запроса о ненаказании
support-justice-open = Записать правосудие и возмещение
support-risk-assessment = Оценка рисков и безопасности
support-risk-hint = Нужна для возвращения: риски для человека и его семьи в стране возвращения.
support-solution-open = Решить о долгосрочном решении
support-solution-country = Страна (двухбуквенный код)
support-solution-country-hint = Для возвращения или переселения, например UA или MD.
support-solution-submit = Записать долгосрочное решение
support-follow-ups-title = Последующие контакты
support-follow-up-notes = Что обсудили и о чём договорились
support-follow-up-submit = Записать контакт
support-handovers-title = Передача дела
support-no-handovers = Дело не передавалось.
support-handover-open = Поручить, передать или направить дело
support-handover-kind = Вид передачи
support-handover-hint = Поручить: коллеге. Передать: другая организация берёт дело, как только согласится. Направить: другая организация получает доступ для определённой цели, а дело остаётся у вас.
support-handover-user = Коллега (для поручения)
support-handover-org = Организация (для передачи или направления)
support-handover-purpose = Цель
support-handover-consent = Человек согласен на передачу
support-handover-submit = Передать
handover-status-offered = ждёт ответа организации
handover-status-accepted = принято
handover-status-declined = отклонено
handover-status-done = выполнено
support-error-risk-assessment = Для возвращения нужна записанная оценка рисков и безопасности.
support-error-country = Укажите страну двухбуквенным кодом, например UA.
support-error-handover-consent = Дело взрослого передают другой организации только с его согласия.
support-error-handover-to = Выберите, кому уходит дело: коллегу для поручения, организацию для передачи или направления.
support-error-guardian = Укажите имя и организацию опекуна.
support-error-amount = Сумма неверна: пишите, например, 1500 или 1500.50.
support-error-justice-item = Производству нужны вид и стадия; виду на жительство — основание и результат.
support-error-text = Напишите что-нибудь в текстовом поле.
nav-transfers = Передачи
transfers-title = Дела, переданные вашей организации
transfers-intro = Дела, которые другая организация предлагает передать вашей. Вы увидите дело, когда примете его; отказ оставляет его у той организации.
transfers-empty = Ни одна передача не ожидает.
transfers-from = от { $org }
transfers-offered-on = предложено { $date }
transfers-accept = Принять дело
transfers-decline = Отклонить
transfers-declined = Отклонено: дело остаётся у организации, которая его предложила.
transfers-accepted = Теперь дело принадлежит вашей организации.
stats-measure-service_acceptance = Направление к услуге принято
stats-rights-title = Доступ к правам
stats-rights-table = Права лиц, имеющих на них право: проинформированы, предоставлено, отказано, отказались, с опозданием
stats-rights-right = Право
stats-rights-eligible = Лица, имеющие право
stats-rights-informed = Проинформированы
stats-rights-granted = Предоставлено
stats-rights-refused = Отказано
stats-rights-waived = Лицо отказалось
stats-rights-late = С опозданием
stats-rights-granted-share = Предоставлено (доля)
stats-rights-late-share = С опозданием (доля)
stats-rights-all = Все права (пары лицо и право)
stats-rights-chart-title = Лица, которым предоставлено каждое право
stats-rights-chart-desc = Горизонтальная столбчатая диаграмма лиц, которым предоставлено каждое право; пунктирная рамка с x — скрытый показатель.
stats-rights-chart-legend = Пунктирная рамка с x: слишком мало лиц для публикации.
stats-rights-late-title = Права с опозданием на { $day } (только количество)
stats-redress-title = Компенсация и сотрудничество
stats-redress-claimed = Компенсация заявлена
stats-redress-awarded = Компенсация присуждена
stats-redress-paid = Компенсация выплачена
stats-redress-declined = Отказались от сотрудничества с властями
stats-redress-continuing = Отказались от сотрудничества, а поддержка продолжилась
stats-redress-amount = { $stage }: сумма, { $currency }
stats-redress-amounts-suppressed = Суммы компенсаций не показаны: слишком мало случаев для публикации.

# A user's own account: sessions and security notices (issue 6: ASVS 7.5.2, 6.3.7, 6.3.5)
nav-account = Ваша учётная запись
account-title = Ваша учётная запись
error-title = Что-то пошло не так
sessions-title = Ваши сеансы
sessions-intro = Здесь перечислено, где вы сейчас вошли в Harbour. Если какой-то сеанс вам незнаком, завершите его и сообщите администратору.
sessions-kind-web = Браузер
sessions-kind-api = Программа (API)
sessions-current = этот браузер
sessions-started = Вход
sessions-last-used = Последнее использование
sessions-ends = Завершится, если не использовать до
sessions-end = Завершить этот сеанс
sessions-end-current = Выйти здесь
sessions-end-others = Завершить все другие сеансы
notices-title = Уведомления безопасности
notices-intro = Здесь Harbour сообщает, когда изменён ваш способ входа или когда кто-то безуспешно пытался войти в вашу учётную запись.
notices-none = Уведомлений безопасности для вашей учётной записи нет.
notices-new = новое
notices-banner-title = Уведомление безопасности о вашей учётной записи
notices-acknowledge = Я прочитал(а) это
notices-all = Все уведомления безопасности
notice-second-factor-reset = Администратор сбросил ваш второй фактор, и вы настроили новый аутентификатор. Если вы об этом не просили, немедленно сообщите администратору.
notice-recovery-codes-renewed = Ваши коды восстановления обновлены: прежние коды больше не действуют, а другие ваши сеансы завершены. Если это были не вы, немедленно сообщите администратору.
notice-failed-sign-ins = { $count ->
    [one] Перед вашим последним входом была { $count } неудачная попытка войти в вашу учётную запись.
    [few] Перед вашим последним входом было { $count } неудачные попытки войти в вашу учётную запись.
   *[other] Перед вашим последним входом было { $count } неудачных попыток войти в вашу учётную запись.
} Если это были не вы, сообщите администратору.

## Security keys (WebAuthn)
keys-title = Ключи безопасности
keys-intro = Ключ безопасности (ключ FIDO2 или ключ доступа) позволяет войти одним касанием, и его не обманет поддельный сайт. Им можно пользоваться вместо кода из приложения-аутентификатора.
keys-none = У вас ещё нет ключа безопасности.
keys-list-caption = Ваши ключи безопасности
keys-name = Название ключа
keys-name-hint = Название, чтобы различать ключи, например «синий ключ».
keys-added = Добавлен
keys-last-used = Последнее использование
keys-never-used = Никогда
keys-remove = Удалить
keys-add-title = Добавить ключ безопасности
keys-add = Добавить ключ безопасности
keys-needs-javascript = Чтобы добавить ключ безопасности или воспользоваться им, нужен JavaScript, а в этом браузере он отключён. Коды из приложения-аутентификатора по-прежнему действуют.
keys-unsupported = Этот браузер не поддерживает ключи безопасности. Коды из приложения-аутентификатора по-прежнему действуют.
keys-failed = Ключ безопасности не ответил, или вы отменили действие. Попробуйте ещё раз.
keys-unavailable = На этом сервере ключи безопасности не настроены. Обратитесь к администратору.
keys-required = Ваша организация требует ключ безопасности для чтения дел. Добавьте его сейчас: до тех пор дела для вас закрыты.
keys-error-name = Дайте ключу название.
keys-error-rejected = Ответ ключа безопасности не принят. Попробуйте добавить его ещё раз.
keys-error-duplicate = Этот ключ безопасности уже зарегистрирован.
keys-error-last = Это ваш последний ключ безопасности, а ваша организация требует его иметь. Сначала добавьте другой ключ.
keys-sign-in-title = Войти с помощью ключа безопасности
keys-sign-in = Использовать ключ безопасности
keys-sign-in-needs-javascript = Чтобы войти с помощью ключа безопасности, нужен JavaScript, а в этом браузере он отключён. Введите ниже код из приложения-аутентификатора.
keys-or-code = Или введите код
keys-error-sign-in = Ключ безопасности не принят. Попробуйте ещё раз или введите код из приложения-аутентификатора.
notice-security-key-added = В вашу учётную запись добавлен ключ безопасности. Если это были не вы, немедленно сообщите администратору.
notice-security-key-removed = Из вашей учётной записи удалён ключ безопасности. Если это были не вы, немедленно сообщите администратору.
keys-use-your-key = Ваша организация требует входить с помощью ключа безопасности: коды для вашей учётной записи не принимаются.
